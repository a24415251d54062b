using Orleans.Tokens.Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddTokensGateway();
var app = builder.Build();
app.MapTokensGateway();
app.Run();

public partial class Program;
