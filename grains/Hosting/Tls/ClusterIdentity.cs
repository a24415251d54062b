using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Orleans.Tokens.Hosting.Tls;

/// <summary>
/// This process's identity on the cluster's Orleans connections (issue 9): the cluster's private CA, and this
/// process's certificate of that CA with its private key and its <see cref="ClusterRole"/>. Every Orleans connection
/// is mutual TLS 1.3: each end presents its certificate, and accepts the other's only when it chains to the CA
/// (no other root is trusted, revocation is not checked) and names a role that end may have.
/// </summary>
public sealed class ClusterIdentity
{
    private ClusterIdentity(X509Certificate2 authority, X509Certificate2 certificate)
    {
        Authority = authority;
        Certificate = certificate;
        Role = ClusterRoles.Of(certificate)
            ?? throw new InvalidOperationException(
                $"the cluster certificate {certificate.Subject} names no role: its subject needs OU=silo, OU=gateway or OU=admin");
        if (!Accepts(certificate, [Role]))
            throw new InvalidOperationException($"the cluster certificate {certificate.Subject} is not issued by the cluster CA {authority.Subject}");
    }

    /// <summary>The cluster's private CA: the only root trusted on Orleans connections.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The role that <see cref="Certificate"/> names.</summary>
    public ClusterRole Role { get; }

    /// <summary>
    /// Loads the CA certificate and this process's certificate and private key from PEM files. Throws
    /// <see cref="InvalidOperationException"/> naming the file that is missing or not as required (the message never
    /// holds a key).
    /// </summary>
    public static ClusterIdentity Load(ClusterTlsFiles files)
    {
        foreach (var path in (string[])[files.CaCertificate, files.Certificate, files.PrivateKey])
        {
            if (!File.Exists(path)) throw new InvalidOperationException($"cluster TLS file not found: {Path.GetFullPath(path)}");
        }
        X509Certificate2 authority, certificate;
        try
        {
            authority = X509Certificate2.CreateFromPem(File.ReadAllText(files.CaCertificate));
            certificate = X509Certificate2.CreateFromPemFile(files.Certificate, files.PrivateKey);
        }
        catch (Exception failure) when (failure is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"cluster TLS files {files.Certificate}, {files.PrivateKey} or {files.CaCertificate} are not a PEM certificate and its key ({failure.GetType().Name})");
        }
        return new ClusterIdentity(authority, certificate);
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to <see cref="Authority"/> alone, is valid now and names one of
    /// <paramref name="roles"/>.
    /// </summary>
    public bool Accepts(X509Certificate2 certificate, IReadOnlyCollection<ClusterRole> roles)
    {
        if (ClusterRoles.Of(certificate) is not { } role || !roles.Contains(role)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// TLS settings of one kind of Orleans connection: this certificate presented, the other end's required and
    /// accepted only as <see cref="Accepts"/> says for <paramref name="peers"/>.
    /// </summary>
    public TlsOptions Options(params ClusterRole[] peers) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        SslProtocols = SslProtocols.Tls13,
        // The platform's verdict (an unknown root, a host name) is replaced by the check against the cluster's CA.
        RemoteCertificateValidation = (certificate, _, _) => Accepts(certificate, peers),
        OnAuthenticateAsClient = (_, options) => options.TargetHost = TargetHost,
    };

    /// <summary>The TLS server name clients send: silos are told apart by certificate, not by name.</summary>
    private const string TargetHost = "orleans-tokens";
}

/// <summary>
/// Where a process's cluster TLS files are (PEM): <c>Cluster:Tls:CaCertificate</c>, <c>Cluster:Tls:Certificate</c>
/// and <c>Cluster:Tls:PrivateKey</c>.
/// </summary>
public sealed record ClusterTlsFiles(string CaCertificate, string Certificate, string PrivateKey);
