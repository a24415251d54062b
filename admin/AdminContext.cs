using Microsoft.Extensions.Configuration;
using Orleans.Tokens.Hosting;

namespace Orleans.Tokens.Admin;

/// <summary>
/// What the commands of one run share, each made on first use: the configuration, one cluster connection and the
/// token key ring. Made lazily so that a bad setting is reported as a command's error, and commands that need no
/// cluster never connect.
/// </summary>
internal sealed class AdminContext : IAsyncDisposable
{
    private IConfiguration? _configuration;
    private TokensSettings? _settings;
    private ClusterConnection? _cluster;
    private TokenKeyRing? _keyRing;

    private IConfiguration Configuration => _configuration ??= AdminConfiguration.Load();

    private TokensSettings Settings => _settings ??= TokensSettings.From(Configuration);

    public TokenKeyRing KeyRing => _keyRing ??= TokenKeyStore.Load(Configuration, Settings, createIfMissing: false);

    public async Task<ICustomerGrain> CustomerAsync(long customerId, CancellationToken cancellationToken)
    {
        _cluster ??= new ClusterConnection(Configuration, Settings);
        var client = await _cluster.ClientAsync(cancellationToken);
        return client.GetGrain<ICustomerGrain>(customerId);
    }

    public ValueTask DisposeAsync() => _cluster?.DisposeAsync() ?? ValueTask.CompletedTask;
}
