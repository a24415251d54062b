using Microsoft.Extensions.Configuration;

namespace Orleans.Tokens.Hosting;

/// <summary>
/// Where token keys come from. A cluster configures them (a secret): <c>Tokens:TokenKeys:{id}</c> = base64 of 32
/// bytes and <c>Tokens:ActiveTokenKey</c> = id. Without them the embedded default keeps a ring in
/// <c>{DataDirectory}/token-keys.json</c> (0600), created on first start, so tokens outlive a restart. It is never
/// created beside an existing database: a key file lost from a data directory in use would otherwise be replaced
/// silently, and every token minted before would stop opening.
/// </summary>
public static class TokenKeyStore
{
    public const string FileName = "token-keys.json";

    public static TokenKeyRing Load(IConfiguration configuration, TokensSettings settings, bool createIfMissing)
    {
        if (KeyRingFile.Configured(configuration.GetSection("Tokens:TokenKeys"), configuration["Tokens:ActiveTokenKey"]) is { } configured)
            return new TokenKeyRing(configured.Active, configured.Keys);
        var path = Path.Combine(settings.DataDirectory, FileName);
        if (!File.Exists(path))
        {
            if (!createIfMissing) throw new InvalidOperationException($"no token keys: configure Tokens:TokenKeys or start the gateway once to create {path}");
            if (File.Exists(settings.SqlitePath))
                throw new InvalidOperationException(
                    $"{Path.GetFullPath(settings.SqlitePath)} exists but its token keys {Path.GetFullPath(path)} do not: " +
                    "tokens minted before could not be opened with a new key. Restore the key file, configure " +
                    "Tokens:TokenKeys, or move the database away to start afresh.");
            KeyRingFile.Create(path);
        }
        var file = KeyRingFile.Read(path, tighten: createIfMissing);
        return new TokenKeyRing(file.Active, file.Keys);
    }
}
