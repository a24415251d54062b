using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Orleans.Tokens.Hosting.Admin;

/// <summary>
/// A signed admin command (issue 9): a call of an admin operation carries, in Orleans' request context, the admin
/// certificate (DER), the time it was signed (Unix milliseconds), a 16-byte random nonce and a signature by the
/// certificate's key (ECDSA P-256/SHA-256, or RSA-PSS/SHA-256) over <see cref="Payload"/>: the grain, the method, the
/// arguments, the time and the nonce. TLS already proves which certificate opened a connection, but Orleans hands a
/// grain no connection, so the command carries its own proof.
/// </summary>
public static class AdminCommand
{
    public const string CertificateKey = "orleans-tokens.admin.certificate";
    public const string SignatureKey = "orleans-tokens.admin.signature";
    public const string SignedAtKey = "orleans-tokens.admin.signed-at";
    public const string NonceKey = "orleans-tokens.admin.nonce";

    /// <summary>Whether <paramref name="method"/> needs a signed admin command: a method of the project's grain interfaces without <see cref="GatewayOperationAttribute"/>.</summary>
    public static bool IsAdminOperation(MethodInfo method) =>
        AdminOperations.GetOrAdd(method, static method =>
            method.DeclaringType?.Assembly == typeof(ICustomerGrain).Assembly && !method.IsDefined(typeof(GatewayOperationAttribute)));

    // Every grain call on a silo (every mint among them) asks: the attribute is looked up once per method.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MethodInfo, bool> AdminOperations = new();

    /// <summary>
    /// The bytes signed: a version line, the target grain, the method (interface, name and parameter types, so that
    /// overloads differ), the signing time and nonce, and the SHA-256 of the arguments as JSON.
    /// </summary>
    public static byte[] Payload(GrainId grain, MethodInfo method, IReadOnlyList<object?> arguments, long signedAtMs, byte[] nonce)
    {
        var parameters = string.Join(',', method.GetParameters().Select(parameter => parameter.ParameterType.FullName));
        var argumentsDigest = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(arguments.ToArray()));
        return Encoding.UTF8.GetBytes(string.Join('\n',
            "orleans-tokens admin command v1",
            grain.ToString(),
            $"{method.DeclaringType!.FullName}.{method.Name}({parameters})",
            signedAtMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToHexStringLower(nonce),
            Convert.ToHexStringLower(argumentsDigest)));
    }

    /// <summary>Signs <paramref name="payload"/> with <paramref name="certificate"/>'s private key (ECDSA or RSA).</summary>
    public static byte[] Sign(X509Certificate2 certificate, byte[] payload)
    {
        using var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null) return ecdsa.SignData(payload, HashAlgorithmName.SHA256);
        using var rsa = certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException($"the admin certificate {certificate.Subject} has no ECDSA or RSA private key");
        return rsa.SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }

    /// <summary>Whether <paramref name="signature"/> is <paramref name="certificate"/>'s over <paramref name="payload"/>.</summary>
    public static bool Verify(X509Certificate2 certificate, byte[] payload, byte[] signature)
    {
        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null) return ecdsa.VerifyData(payload, signature, HashAlgorithmName.SHA256);
        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(payload, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }

    /// <summary>The arguments of a grain call, in order.</summary>
    public static object?[] Arguments(Orleans.Serialization.Invocation.IInvokable request) =>
        [.. Enumerable.Range(0, request.GetArgumentCount()).Select(request.GetArgument)];
}
