using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Tokens.Grains.Metrics;
using Orleans.Tokens.Hosting.Health;
using Orleans.Tokens.Hosting.Storage;
using System.Diagnostics.Metrics;

namespace Orleans.Tokens.Hosting;

public static class TokensMetricsSetup
{
    /// <summary>The meters a host exports at <c>/metrics</c>: Orleans' own, the service's, grain storage's.</summary>
    public static readonly string[] Meters = ["Microsoft.Orleans", TokensMetrics.MeterName, StorageMetrics.MeterName];

    /// <summary>
    /// One <see cref="TokensMetrics"/> per process (a gateway with an embedded silo shares it), bounded by
    /// <c>Metrics:MaxCustomers</c>; and the <c>/readyz</c> answer.
    /// </summary>
    public static IServiceCollection AddTokensMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new TokensMetrics(
            provider.GetRequiredService<IMeterFactory>(),
            provider.GetRequiredService<IConfiguration>().GetValue("Metrics:MaxCustomers", TokensMetrics.DefaultMaxCustomers)));
        services.TryAddSingleton<Readiness>();
        return services;
    }

    /// <summary>Creates the instruments now, so that /metrics shows every series (at 0) before the first request.</summary>
    public static void StartTokensMetrics(this IServiceProvider services)
    {
        services.GetRequiredService<TokensMetrics>();
        services.GetService<StorageMetrics>();
    }
}
