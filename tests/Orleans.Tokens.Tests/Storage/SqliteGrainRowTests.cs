using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Storage;

/// <summary><see cref="GrainRowChecks"/> on the embedded default's SQLite schema.</summary>
public sealed class SqliteGrainRowTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-tokens-rows-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Rows_go_with_their_state_and_expired_ones_are_purged()
    {
        var connectionString = SqliteSchema.EnsureCreated(Path.Combine(_directory, "tokens.db"), TimeSpan.FromSeconds(3));
        using var database = new SqliteStateDatabase(connectionString, "rows-test", fullSync: false);
        await GrainRowChecks.RunAsync(database);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
