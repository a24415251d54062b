using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Orleans.Tokens.Hosting;

/// <summary>
/// Where token keys come from. A cluster configures them (a secret): <c>Tokens:TokenKeys:{id}</c> = base64 of 32
/// bytes and <c>Tokens:ActiveTokenKey</c> = id. Without them the embedded default keeps a ring in
/// <c>{DataDirectory}/token-keys.json</c>, created on first start, so tokens outlive a restart.
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
            Create(path);
        }
        var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"{path} is empty");
        return new TokenKeyRing(file.Active, file.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value)));
    }

    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var id = "k" + DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss");
        var file = new KeyFile(id, new() { [id] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) });
        var temporary = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, file);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: false);
    }

    private sealed record KeyFile(string Active, Dictionary<string, string> Keys);
}
