using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// The real gateway (its <c>Program</c>) on Kestrel at a loopback port, so requests cross a real socket and
/// Kestrel's own limits apply. Settings go in with <see cref="IWebHostBuilder.UseSetting"/>, which the gateway's
/// <c>Program</c> sees as command-line arguments before it builds anything. Given a <c>urls</c> setting, Kestrel
/// listens there (as a deployed gateway would); otherwise on a loopback port Kestrel picks. <c>services</c>, when
/// given, adds to the gateway's (and its co-hosted silo's) services.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _services;

    public GatewayFactory(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _services = services;
        if (settings.ContainsKey("urls")) UseKestrel(); else UseKestrel(0);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // What a customer meets: the Production environment (no developer exception page).
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_services is not null) builder.ConfigureServices(_services);
    }
}
