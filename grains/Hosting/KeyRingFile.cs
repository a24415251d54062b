using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Orleans.Tokens.Hosting;

/// <summary>
/// A ring of 32-byte keys by id, kept as contract section 7 keeps token keys: a cluster configures it (a secret),
/// <c>{section}:{id}</c> = base64 of 32 bytes and an active id; without that the embedded default keeps it in a JSON
/// file under its data directory (0600), made on first start.
/// </summary>
public sealed record KeyRingFile(string Active, IReadOnlyDictionary<string, byte[]> Keys)
{
    /// <summary>The ring configured in <paramref name="section"/>, active <paramref name="active"/> (default: the first key), or null.</summary>
    public static KeyRingFile? Configured(IConfigurationSection section, string? active)
    {
        var configured = section.GetChildren().ToList();
        if (configured.Count == 0) return null;
        return new KeyRingFile(active ?? configured[0].Key,
            configured.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value ?? "")));
    }

    /// <summary>Reads the ring in <paramref name="path"/>; the host that owns the file tightens what an earlier version left wider.</summary>
    public static KeyRingFile Read(string path, bool tighten)
    {
        if (tighten) PrivateFiles.Tighten(path);
        var file = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)) ?? throw new InvalidOperationException($"{path} is empty");
        return new KeyRingFile(file.Active, file.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value)));
    }

    /// <summary>Makes <paramref name="path"/> (0600, in a 0700 directory) with one random key, active; never replaces a file.</summary>
    public static void Create(string path)
    {
        PrivateFiles.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var id = "k" + DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss");
        var file = new Stored(id, new() { [id] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var temporary = path + ".new";
        using (var stream = new FileStream(temporary, PrivateFiles.Create(FileMode.Create)))
        {
            JsonSerializer.Serialize(stream, file);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: false);
    }

    private sealed record Stored(string Active, Dictionary<string, string> Keys);
}
