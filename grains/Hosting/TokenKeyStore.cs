using System.Text.Json;
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
        var configured = configuration.GetSection("Tokens:TokenKeys").GetChildren().ToList();
        if (configured.Count > 0)
        {
            var keys = configured.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value ?? ""));
            var active = configuration["Tokens:ActiveTokenKey"] ?? configured[0].Key;
            return new TokenKeyRing(active, keys);
        }
        var path = Path.Combine(settings.DataDirectory, FileName);
        if (!File.Exists(path))
        {
            if (!createIfMissing) throw new InvalidOperationException($"no token keys: configure Tokens:TokenKeys or start the gateway once to create {path}");
            if (File.Exists(settings.SqlitePath))
                throw new InvalidOperationException(
                    $"{Path.GetFullPath(settings.SqlitePath)} exists but its token keys {Path.GetFullPath(path)} do not: " +
                    "tokens minted before could not be opened with a new key. Restore the key file, configure " +
                    "Tokens:TokenKeys, or move the database away to start afresh.");
            Create(path);
        }
        // The host that owns the data directory (the embedded gateway) tightens what an earlier version left wider.
        if (createIfMissing) PrivateFiles.Tighten(path);
        var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"{path} is empty");
        return new TokenKeyRing(file.Active, file.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value)));
    }

    private static void Create(string path)
    {
        PrivateFiles.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var id = "k" + DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss");
        var file = new KeyFile(id, new() { [id] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) });
        var temporary = path + ".new";
        using (var stream = new FileStream(temporary, PrivateFiles.Create(FileMode.Create)))
        {
            JsonSerializer.Serialize(stream, file);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: false);
    }

    private sealed record KeyFile(string Active, Dictionary<string, string> Keys);
}
