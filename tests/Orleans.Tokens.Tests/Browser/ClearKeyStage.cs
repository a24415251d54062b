using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Orleans.Tokens.Tests.Browser;

/// <summary>
/// What the Clear Key playback tests share, made once on first use: the real gateway (a child process, with
/// <c>Issuers:ClearKey:Enabled=true</c>), a customer with production tokens, and the clip encrypted under a random
/// KID and key by <c>make-clip.sh</c>. Made on first use rather than when the class starts, so that a test skipped
/// for a missing tool starts nothing. The gateway's own log goes to xunit's diagnostic messages: it outlives every
/// single test.
/// </summary>
public sealed class ClearKeyStage(IMessageSink diagnostics) : IAsyncLifetime
{
    private const long CustomerId = 4400101;
    private readonly Lazy<Task<ClearKeySetup>> _setup = new(() => SetUpAsync(new DiagnosticLog(diagnostics)));

    /// <summary>The gateway, customer and clip, started and made by the first test that asks.</summary>
    internal Task<ClearKeySetup> SetupAsync() => _setup.Value;

    private static async Task<ClearKeySetup> SetUpAsync(ITestOutputHelper log)
    {
        var clip = Path.Combine(Path.GetTempPath(), "orleans-tokens-clip-" + Guid.NewGuid().ToString("N")[..12]);
        var kid = TokenRequests.RandomHex(16);
        var key = TokenRequests.RandomHex(16);
        GatewayProcess? gateway = null;
        try
        {
            var made = await BrowserTools.RunAsync("bash", ["make-clip.sh", clip, kid, key], TimeSpan.FromSeconds(60));
            Assert.True(made.ExitCode == 0, $"make-clip.sh exited {made.ExitCode}:\n{made.Stdout}\n{made.Stderr}");
            gateway = await GatewayProcess.StartAsync(log, "--Issuers:ClearKey:Enabled=true");
            var customer = await gateway.Admin.CreateCustomerAsync(CustomerId, balance: 100);
            return new ClearKeySetup(gateway, customer, clip, kid, key);
        }
        catch
        {
            if (gateway is not null) await gateway.DisposeAsync();
            if (Directory.Exists(clip)) Directory.Delete(clip, recursive: true);
            throw;
        }
    }

    /// <inheritdoc/>
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (!_setup.IsValueCreated || !_setup.Value.IsCompletedSuccessfully) return;
        var setup = await _setup.Value;
        await setup.Gateway.DisposeAsync();
        Directory.Delete(setup.ClipFolder, recursive: true);
    }

    private sealed class DiagnosticLog(IMessageSink sink) : ITestOutputHelper
    {
        public void WriteLine(string message) => sink.OnMessage(new DiagnosticMessage(message));

        public void WriteLine(string format, params object[] args) => sink.OnMessage(new DiagnosticMessage(format, args));
    }
}

/// <summary>The running gateway, its customer, and the clip's folder (<c>manifest.mpd</c>) with the KID and key it is encrypted under (hex).</summary>
internal sealed record ClearKeySetup(GatewayProcess Gateway, Customer Customer, string ClipFolder, string Kid, string Key);
