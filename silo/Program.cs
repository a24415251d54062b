using Microsoft.Extensions.Hosting;
using Orleans.Tokens.Hosting;

// A silo without a gateway in front, for gateways in Cluster:Mode=Client.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = TokensSettings.From(builder.Configuration);
builder.UseOrleans(silo => silo.UseEmbeddedTokensSilo(settings));
builder.Build().Run();
