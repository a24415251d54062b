using System.Diagnostics;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// A private CA made with the openssl command line, as an operator makes the cluster's (deploy/local/cluster.sh
/// does the same): an ECDSA P-256 CA in <c>ca.pem</c> (its key in <c>ca.key</c>), and certificates it issues with the
/// role as the subject's OU and both TLS extended key usages, each as <c>&lt;name&gt;.pem</c> and
/// <c>&lt;name&gt;.key</c>, in <paramref name="directory"/>.
/// </summary>
internal sealed class OpenSslAuthority
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private OpenSslAuthority(string directory) => Directory = directory;

    public string Directory { get; }

    public string Certificate => Path.Combine(Directory, "ca.pem");

    /// <summary>Makes a new CA named <paramref name="name"/> in <paramref name="directory"/> (created if missing).</summary>
    public static OpenSslAuthority Create(string directory, string name = "Orleans.Tokens test cluster CA")
    {
        System.IO.Directory.CreateDirectory(directory);
        var authority = new OpenSslAuthority(directory);
        Run(directory, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", $"/O=orleans-tokens/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return authority;
    }

    /// <summary>Issues a certificate with <c>OU=</c><paramref name="role"/> (any text, so a test can name a wrong one).</summary>
    public ClusterTlsFiles Issue(string name, string role)
    {
        Run(Directory, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-subj", $"/O=orleans-tokens/OU={role}/CN={name}");
        File.WriteAllText(Path.Combine(Directory, name + ".ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n");
        Run(Directory, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
        return new ClusterTlsFiles(Certificate, Path.Combine(Directory, name + ".pem"), Path.Combine(Directory, name + ".key"));
    }

    /// <summary>Issues a certificate of <paramref name="role"/>.</summary>
    public ClusterTlsFiles Issue(string name, ClusterRole role) => Issue(name, ClusterRoles.Name(role));

    private static void Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout)) process.Kill();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {arguments[0]} failed ({process.ExitCode}): {output.Result}{errors.Result}");
    }
}
