using System.Security.Cryptography;
using Orleans.Runtime;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Hosting.Admin;

/// <summary>
/// The admin tool's side of <see cref="AdminCommand"/>: every call of an admin operation it makes is signed with its
/// cluster certificate's key. Signing with a certificate that is not OU=admin is allowed here and refused by the silo.
/// </summary>
public sealed class AdminCommandSigner(ClusterIdentity identity, TimeProvider clock) : IOutgoingGrainCallFilter
{
    private readonly byte[] _certificate = identity.Certificate.RawData;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod is { } method && AdminCommand.IsAdminOperation(method))
        {
            var signedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var nonce = RandomNumberGenerator.GetBytes(16);
            var payload = AdminCommand.Payload(context.TargetId, method, AdminCommand.Arguments(context.Request), signedAt, nonce);
            RequestContext.Set(AdminCommand.CertificateKey, _certificate);
            RequestContext.Set(AdminCommand.SignedAtKey, signedAt);
            RequestContext.Set(AdminCommand.NonceKey, nonce);
            RequestContext.Set(AdminCommand.SignatureKey, AdminCommand.Sign(identity.Certificate, payload));
        }
        await context.Invoke();
    }
}
