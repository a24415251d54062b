using Orleans.Tokens.Tests.Infrastructure;
using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// A gateway of its own with section 8's issuers configured: Clear Key enabled (<c>/hms/ck/token</c>,
/// <c>/hms/ck/rights</c>) and serving the Widevine rights URL; PlayReady forwarded to <see cref="Upstream"/> with
/// the right bearer secret. CORS origins unset (any origin).
/// </summary>
public sealed class RedemptionGateway : UpstreamGatewayFixture
{
    public RedemptionGateway() : this(FakeLicenseServer.Start())
    {
    }

    private RedemptionGateway(FakeLicenseServer upstream) : base(new Dictionary<string, string>
    {
        ["Tokens:PublicBaseUrl"] = PublicBaseUrl,
        ["Issuers:ClearKey:Enabled"] = "true",
        ["Issuers:Widevine"] = "ClearKey",
        ["Issuers:PlayReady"] = "Forwarding",
        ["Issuers:Forwarding:PlayReady:Url"] = upstream.Url,
        ["Issuers:Forwarding:PlayReady:Secret"] = FakeLicenseServer.Secret,
        ["Issuers:Forwarding:TimeoutSeconds"] = "5",
    }, upstream)
    {
    }

}

[CollectionDefinition(Name)]
public sealed class RedemptionCollection : ICollectionFixture<RedemptionGateway>
{
    public const string Name = "RedemptionGateway";
}

/// <summary>
/// A gateway whose forwarding goes wrong: PlayReady is forwarded to <see cref="Upstream"/> with a secret it does not
/// accept, Widevine to a port nothing listens on. Clear Key is not enabled.
/// </summary>
public sealed class ForwardingFaultGateway : UpstreamGatewayFixture
{
    public ForwardingFaultGateway() : this(FakeLicenseServer.Start(), FreePorts.Take(1)[0])
    {
    }

    private ForwardingFaultGateway(FakeLicenseServer upstream, int deadPort) : base(new Dictionary<string, string>
    {
        ["Tokens:PublicBaseUrl"] = PublicBaseUrl,
        ["Issuers:PlayReady"] = "Forwarding",
        ["Issuers:Forwarding:PlayReady:Url"] = upstream.Url,
        ["Issuers:Forwarding:PlayReady:Secret"] = "not-the-upstream-secret",
        ["Issuers:Widevine"] = "Forwarding",
        ["Issuers:Forwarding:Widevine:Url"] = $"http://127.0.0.1:{deadPort}/license",
        ["Issuers:Forwarding:Widevine:Secret"] = FakeLicenseServer.Secret,
        ["Issuers:Forwarding:TimeoutSeconds"] = "3",
    }, upstream)
    {
    }

}

[CollectionDefinition(Name)]
public sealed class ForwardingFaultCollection : ICollectionFixture<ForwardingFaultGateway>
{
    public const string Name = "ForwardingFaultGateway";
}

/// <summary>A gateway fixture with a <see cref="FakeLicenseServer"/> of its own, stopped after the gateway.</summary>
public abstract class UpstreamGatewayFixture(IReadOnlyDictionary<string, string> settings, FakeLicenseServer upstream)
    : GatewayFixture(settings), IAsyncLifetime
{
    public FakeLicenseServer Upstream { get; } = upstream;

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
