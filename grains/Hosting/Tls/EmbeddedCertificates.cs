using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.Tokens.Hosting.Tls;

/// <summary>
/// The embedded default's own cluster CA and certificates, under <c>&lt;data directory&gt;/tls</c> (directory 0700,
/// files 0600): <c>ca.pem</c>; <c>silo.pem</c>/<c>silo.key</c> for its silo; <c>admin.pem</c>/<c>admin.key</c> for
/// the admin tool on the same machine. Made on first start with ECDSA P-256 keys, valid ten years; the CA's private
/// key is never written, so no further certificate can be issued (delete the directory to start a new CA).
/// </summary>
public static class EmbeddedCertificates
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(3650);

    /// <summary>The directory of the files in <paramref name="dataDirectory"/>.</summary>
    public static string Directory(string dataDirectory) => Path.Combine(dataDirectory, "tls");

    /// <summary>The files of <paramref name="role"/> in <paramref name="dataDirectory"/>.</summary>
    public static ClusterTlsFiles Files(string dataDirectory, ClusterRole role)
    {
        var directory = Directory(dataDirectory);
        var name = ClusterRoles.Name(role);
        return new(Path.Combine(directory, "ca.pem"), Path.Combine(directory, name + ".pem"), Path.Combine(directory, name + ".key"));
    }

    /// <summary>
    /// Makes the CA and both certificates when the directory does not exist yet (written beside it, then moved in
    /// whole); tightens an existing one to 0700/0600.
    /// </summary>
    public static void EnsureCreated(string dataDirectory)
    {
        var directory = Directory(dataDirectory);
        if (System.IO.Directory.Exists(directory))
        {
            PrivateFiles.Directory(directory);
            foreach (var file in System.IO.Directory.EnumerateFiles(directory)) PrivateFiles.Tighten(file);
            return;
        }
        PrivateFiles.Directory(dataDirectory);
        var staging = directory + ".new-" + Guid.NewGuid().ToString("N");
        PrivateFiles.Directory(staging);
        var now = DateTimeOffset.UtcNow;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=Orleans.Tokens embedded cluster CA, O=orleans-tokens", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(now.AddMinutes(-5), now + Validity);
        Write(Path.Combine(staging, "ca.pem"), authority.ExportCertificatePem());
        foreach (var role in Enum.GetValues<ClusterRole>())
        {
            var name = ClusterRoles.Name(role);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=embedded {name}, OU={name}, O=orleans-tokens", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [Oid.FromOidValue("1.3.6.1.5.5.7.3.1", OidGroup.EnhancedKeyUsage), Oid.FromOidValue("1.3.6.1.5.5.7.3.2", OidGroup.EnhancedKeyUsage)], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
            using var certificate = request.Create(authority, now.AddMinutes(-5), now + Validity, RandomNumberGenerator.GetBytes(16));
            Write(Path.Combine(staging, name + ".pem"), certificate.ExportCertificatePem());
            Write(Path.Combine(staging, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        }
        System.IO.Directory.Move(staging, directory);
    }

    private static void Write(string path, string pem)
    {
        using var file = new FileStream(path, PrivateFiles.Create(FileMode.CreateNew));
        using var writer = new StreamWriter(file);
        writer.Write(pem);
        writer.Write('\n');
    }
}
