using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Tokens.Grains.Metrics;
using System.Diagnostics.Metrics;

namespace Orleans.Tokens.Hosting;

public static class TokensMetricsSetup
{
    /// <summary>
    /// One <see cref="TokensMeter"/> per process (a gateway with an embedded silo shares it), bounded by
    /// <c>Metrics:MaxCustomers</c>, and the silo's <see cref="BalanceMetrics"/> on it.
    /// </summary>
    public static IServiceCollection AddTokensMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new TokensMeter(
            provider.GetRequiredService<IMeterFactory>(),
            provider.GetRequiredService<IConfiguration>().GetValue("Metrics:MaxCustomers", TokensMeter.DefaultMaxCustomers)));
        services.TryAddSingleton<BalanceMetrics>();
        return services;
    }
}
