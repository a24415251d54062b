using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Hosting.Admin;

/// <summary>
/// The silo's side of <see cref="AdminCommand"/>: a call of an admin operation runs only when its request context
/// holds a certificate that chains to the cluster's CA with OU=admin, a signature by it over this very call, a
/// signing time within <see cref="Skew"/> of the silo's clock and a nonce this silo has not seen in that window;
/// otherwise it throws <see cref="AdminCommandRefusedException"/> before the grain sees the call, and logs a warning
/// (the reason, never the signature or the certificate's key). Gateway operations pass unchecked.
/// </summary>
public sealed partial class AdminCommandCheck(ClusterIdentity identity, TimeProvider clock, ILogger<AdminCommandCheck> log)
    : IIncomingGrainCallFilter
{
    /// <summary>How far a command's signing time may be from the silo's clock, either way.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, long> _nonces = new();

    /// <summary>
    /// Admin certificates whose chain was accepted, by the SHA-256 of their DER, each until it or the CA expires:
    /// building the chain was a third of an account's creation. The chain is the same for every call signed with one
    /// certificate (revocation is not checked, and the CA is fixed for the process); at most
    /// <see cref="AcceptedKept"/>.
    /// </summary>
    private readonly ConcurrentDictionary<string, DateTime> _accepted = new();
    private const int AcceptedKept = 64;
    private long _nextSweepMs;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Not async: a gateway operation (every mint) passes straight through, with no state machine of its own.
        if (context.InterfaceMethod is { } method && AdminCommand.IsAdminOperation(method)
            && Refusal(context, method) is { } reason)
        {
            LogRefused(log, $"{method.DeclaringType!.Name}.{method.Name}", context.TargetId, reason);
            return Task.FromException(new AdminCommandRefusedException($"admin operation refused: {reason}"));
        }
        return context.Invoke();
    }

    private string? Refusal(IIncomingGrainCallContext context, System.Reflection.MethodInfo method)
    {
        if (RequestContext.Get(AdminCommand.CertificateKey) is not byte[] der
            || RequestContext.Get(AdminCommand.SignatureKey) is not byte[] signature
            || RequestContext.Get(AdminCommand.SignedAtKey) is not long signedAt
            || RequestContext.Get(AdminCommand.NonceKey) is not byte[] { Length: 16 } nonce)
            return "not a signed admin command";
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return "the signing certificate cannot be read";
        }
        using (certificate)
        {
            if (!Accepted(certificate, der))
                return $"signed by {certificate.Subject}, not by an admin certificate of the cluster's CA";
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (Math.Abs(now - signedAt) > Skew.TotalMilliseconds) return "signed too long ago, or in the future";
            var payload = AdminCommand.Payload(context.TargetId, method, AdminCommand.Arguments(context.Request), signedAt, nonce);
            if (!AdminCommand.Verify(certificate, payload, signature)) return "the signature does not match the call";
            if (!Remember(Convert.ToHexStringLower(nonce), now)) return "replayed";
        }
        return null;
    }

    /// <summary>Whether <paramref name="certificate"/> (of <paramref name="der"/>) is an admin certificate of the cluster's CA.</summary>
    private bool Accepted(X509Certificate2 certificate, byte[] der)
    {
        var key = Convert.ToHexString(SHA256.HashData(der));
        // The chain is built against the system's clock: so is the certificate's life here.
        var now = DateTime.UtcNow;
        if (_accepted.TryGetValue(key, out var until) && now < until) return true;
        if (!identity.Accepts(certificate, [ClusterRole.Admin])) return false;
        if (_accepted.Count >= AcceptedKept) _accepted.Clear();
        _accepted[key] = Earlier(certificate.NotAfter, identity.Authority.NotAfter).ToUniversalTime();
        return true;
    }

    private static DateTime Earlier(DateTime first, DateTime second) => first < second ? first : second;

    /// <summary>False when the nonce was seen within the window; forgets nonces older than twice <see cref="Skew"/>.</summary>
    private bool Remember(string nonce, long nowMs)
    {
        var window = (long)(2 * Skew.TotalMilliseconds);
        if (nowMs >= Interlocked.Read(ref _nextSweepMs))
        {
            Interlocked.Exchange(ref _nextSweepMs, nowMs + (long)Skew.TotalMilliseconds);
            foreach (var (seen, at) in _nonces)
            {
                if (nowMs - at > window) _nonces.TryRemove(seen, out _);
            }
        }
        return _nonces.TryAdd(nonce, nowMs);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} on {Grain}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, GrainId grain, string reason);
}
