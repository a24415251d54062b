using Microsoft.Extensions.Hosting;
using Orleans.Tokens.Hosting;

// A silo without a gateway in front, for gateways in Cluster:Mode=Client: the embedded default's SQLite silo, or
// with Cluster:Storage=PostgreSql one silo of a real cluster.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = TokensSettings.From(builder.Configuration);
builder.UseOrleans(silo => silo.UseTokensSilo(settings));
builder.Build().Run();
