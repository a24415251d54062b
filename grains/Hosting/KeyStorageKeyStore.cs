using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Orleans.Tokens.Hosting;

/// <summary>
/// Where the key-storage keys (the service KEK that seals stored content keys, contract section 12) come from, as
/// the token keys do (<see cref="TokenKeyStore"/>): a cluster's silos configure them (a secret),
/// <c>Tokens:KeyStorageKeys:{id}</c> = base64 of 32 bytes and <c>Tokens:ActiveKeyStorageKey</c> = id; without them a
/// silo on the embedded default's SQLite keeps a ring in <c>{DataDirectory}/key-storage-keys.json</c> (0600), made on
/// first start, also beside a database of an earlier version (whose keys it seals as it moves them to rows), but
/// never beside a database that holds sealed keys: a new key would not open them. A key sealed under a key-storage
/// key that is not in the ring does not open, and says so (<see cref="KeyStorageKeyMissingException"/>).
/// </summary>
public static class KeyStorageKeyStore
{
    public const string FileName = "key-storage-keys.json";

    public static KeyStorageKeyRing Load(IConfiguration configuration, TokensSettings settings)
    {
        if (KeyRingFile.Configured(configuration.GetSection("Tokens:KeyStorageKeys"), configuration["Tokens:ActiveKeyStorageKey"]) is { } configured)
            return new KeyStorageKeyRing(configured.Active, configured.Keys);
        if (settings.Storage != ClusterStorage.Sqlite)
            throw new InvalidOperationException("a silo on PostgreSQL needs Tokens:KeyStorageKeys (and Tokens:ActiveKeyStorageKey): the key that seals stored content keys");
        var path = Path.Combine(settings.DataDirectory, FileName);
        if (!File.Exists(path))
        {
            if (File.Exists(settings.SqlitePath) && HoldsStoredKeys(settings.SqlitePath))
                throw new InvalidOperationException(
                    $"{Path.GetFullPath(settings.SqlitePath)} holds stored keys but its key-storage keys {Path.GetFullPath(path)} " +
                    "do not exist: a new key would not open them. Restore the key file, or configure Tokens:KeyStorageKeys.");
            KeyRingFile.Create(path);
        }
        var file = KeyRingFile.Read(path, tighten: true);
        return new KeyStorageKeyRing(file.Active, file.Keys);
    }

    private static bool HoldsStoredKeys(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM GrainRow WHERE Kind = $kind)";
        command.Parameters.AddWithValue("$kind", StoredKey.Kind);
        return command.ExecuteScalar() is 1L;
    }
}
