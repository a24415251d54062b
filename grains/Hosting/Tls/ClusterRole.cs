using System.Security.Cryptography.X509Certificates;

namespace Orleans.Tokens.Hosting.Tls;

/// <summary>
/// What a certificate of the cluster's private CA lets its holder be, named by the certificate subject's
/// organizational unit (OU, OID 2.5.4.11): <c>OU=silo</c>, <c>OU=gateway</c> or <c>OU=admin</c>.
/// </summary>
public enum ClusterRole
{
    /// <summary>A silo: listens on the silo and client ports, and connects to other silos.</summary>
    Silo,
    /// <summary>An HTTP gateway in Cluster:Mode=Client: an Orleans client that mints, redeems and looks up keys.</summary>
    Gateway,
    /// <summary>The admin tool: an Orleans client whose admin commands it signs with this certificate's key.</summary>
    Admin,
}

/// <summary>Reads and writes the role in a certificate's subject.</summary>
public static class ClusterRoles
{
    private const string OrganizationalUnit = "2.5.4.11";

    /// <summary>The subject's OU as a role (lower case, exactly one OU), or null when it names none.</summary>
    public static ClusterRole? Of(X509Certificate2 certificate)
    {
        var units = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(name => name.GetSingleElementType().Value == OrganizationalUnit)
            .Select(name => name.GetSingleElementValue())
            .ToList();
        if (units.Count != 1) return null;
        return Enum.GetValues<ClusterRole>().Cast<ClusterRole?>().FirstOrDefault(role => Name(role!.Value) == units[0]);
    }

    /// <summary>The OU value of <paramref name="role"/>: <c>silo</c>, <c>gateway</c>, <c>admin</c>.</summary>
    public static string Name(ClusterRole role) => role.ToString().ToLowerInvariant();
}
