using Orleans.Tokens.Hosting.Tls;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// What every silo's two Orleans ports must refuse (issue 9, must-show 1), probed with <see cref="TlsProbe"/>: a TLS
/// client without a certificate and one with a certificate of another CA on each port; the cluster's own admin
/// certificate on the silo port and its own silo certificate on the client port.
/// </summary>
internal static class OrleansPortChecks
{
    private static readonly TimeSpan RefusalDeadline = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Makes another CA in <paramref name="scratch"/>, asserts every refusal, and returns that CA's admin certificate
    /// (for a test to try the admin tool with it).
    /// </summary>
    public static async Task<ClusterTlsFiles> AssertRefusedAsync(
        int siloPort, int clientPort, ClusterTlsFiles ownSilo, ClusterTlsFiles ownAdmin, string scratch, ITestOutputHelper log)
    {
        var other = OpenSslAuthority.Create(scratch, "another CA");
        var otherAdmin = other.Issue("intruder-admin", ClusterRole.Admin);
        var otherSilo = other.Issue("intruder-silo", ClusterRole.Silo);
        (string What, int Port, ClusterTlsFiles? Files)[] refused =
        [
            ("no certificate, silo port", siloPort, null),
            ("no certificate, client port", clientPort, null),
            ("another CA's silo certificate, silo port", siloPort, otherSilo),
            ("another CA's admin certificate, client port", clientPort, otherAdmin),
            ("the cluster's admin certificate, silo port", siloPort, ownAdmin),
            ("the cluster's silo certificate, client port", clientPort, ownSilo),
        ];
        foreach (var (what, port, files) in refused)
        {
            var (wasRefused, output) = await TlsProbe.ConnectAsync(port, files?.Certificate, files?.PrivateKey, RefusalDeadline);
            log.WriteLine($"{what} (port {port}): {(wasRefused ? "refused" : "NOT REFUSED")}");
            Assert.True(wasRefused, $"{what} was not refused:\n{output}");
        }
        return otherAdmin;
    }
}
