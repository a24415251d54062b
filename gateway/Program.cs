using Orleans.Tokens.Gateway;

// Settings files travel with the binary; relative paths such as Tokens:DataDirectory are the caller's.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddTokensGateway();
var app = builder.Build();
app.MapTokensGateway();
app.Run();

public partial class Program;
