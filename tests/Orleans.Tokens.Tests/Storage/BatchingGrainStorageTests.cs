using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>
/// The batching grain storage on a real SQLite file: writes of many grains share transactions, and each row keeps
/// its own version check, so a stale write fails that grain alone.
/// </summary>
public sealed class BatchingGrainStorageTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-tokens-storage-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().AddMetrics().BuildServiceProvider();
    private readonly SqliteStateDatabase _database;
    private readonly CountingDatabase _counting;
    private readonly BatchingGrainStorage _storage;

    public BatchingGrainStorageTests()
    {
        _database = new SqliteStateDatabase(SqliteSchema.EnsureCreated(Path.Combine(_directory, "tokens.db"), Deadlines.Default.Storage), "tests", fullSync: true);
        _counting = new CountingDatabase(_database);
        _storage = new BatchingGrainStorage(
            _counting,
            new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
            new StorageMetrics(_services.GetRequiredService<IMeterFactory>()),
            Deadlines.Default);
    }

    [Fact]
    public async Task A_stale_row_fails_alone_in_its_batch()
    {
        var first = await _database.Write([Row("a", null), Row("b", null), Row("c", null)], default);
        Assert.Equal([1L, 1L, 1L], first);

        var second = await _database.Write([Row("a", 1), Row("b", 7), Row("c", 1), Row("d", 1)], default);
        Assert.Equal([2L, null, 2L, null], second);

        Assert.Equal(2, (await _database.Read("state", "a", default))!.Version);
        Assert.Equal(1, (await _database.Read("state", "b", default))!.Version);
        Assert.Null(await _database.Read("state", "d", default));
    }

    [Fact]
    public async Task Concurrent_writes_of_many_grains_share_transactions_and_read_back()
    {
        var states = Enumerable.Range(0, 300).Select(i => new GrainState<CustomerState>(new CustomerState { ProductionBalance = i })).ToArray();
        await Task.WhenAll(states.Select((state, i) => _storage.WriteStateAsync("customer", Grain(i), state)));
        Assert.InRange(_counting.Transactions, 1, 299);
        Assert.Equal(300, _counting.Rows);

        foreach (var (state, i) in states.Select((s, i) => (s, i)))
        {
            state.State = state.State! with { ProductionBalance = state.State.ProductionBalance + 1000 };
        }
        await Task.WhenAll(states.Select((state, i) => _storage.WriteStateAsync("customer", Grain(i), state)));

        var read = new GrainState<CustomerState>();
        await _storage.ReadStateAsync("customer", Grain(42), read);
        Assert.Equal(1042, read.State!.ProductionBalance);
        Assert.Equal("2", read.ETag);
    }

    [Fact]
    public async Task A_stale_grain_gets_an_inconsistent_state_and_the_others_are_written()
    {
        var fresh = new GrainState<CustomerState>(new CustomerState { TestBalance = 1 });
        var stale = new GrainState<CustomerState>(new CustomerState { TestBalance = 1 });
        await _storage.WriteStateAsync("customer", Grain(1), fresh);
        await _storage.WriteStateAsync("customer", Grain(2), stale);
        // Another activation of grain 2 wrote in between: this one's version is now stale.
        await _storage.WriteStateAsync("customer", Grain(2), new GrainState<CustomerState>(new CustomerState()) { ETag = stale.ETag });

        var writes = new[]
        {
            _storage.WriteStateAsync("customer", Grain(1), fresh),
            _storage.WriteStateAsync("customer", Grain(2), stale),
        };
        await writes[0];
        await Assert.ThrowsAsync<InconsistentStateException>(() => writes[1]);
        Assert.Equal("2", fresh.ETag);
    }

    private static StateWrite Row(string grain, long? version) => new("state", grain, version, [1, 2, 3]);

    private static GrainId Grain(int i) => GrainId.Create("customer", i.ToString());

    public void Dispose()
    {
        _database.Dispose();
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The real database, counting the transactions and rows that reach it.</summary>
    private sealed class CountingDatabase(IStateDatabase inner) : IStateDatabase
    {
        private int _transactions;
        private int _rows;

        public int Transactions => _transactions;
        public int Rows => _rows;

        public Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation) =>
            inner.Read(stateName, grainId, cancellation);

        public Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
        {
            Interlocked.Increment(ref _transactions);
            Interlocked.Add(ref _rows, writes.Count);
            return inner.Write(writes, cancellation);
        }

        public Task<byte[]?> ReadRow(string grainId, string kind, string key, CancellationToken cancellation) =>
            inner.ReadRow(grainId, kind, key, cancellation);

        public Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation) =>
            inner.ReadRows(grainId, kind, cancellation);

        public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
            inner.ReadKeys(grainId, kind, cancellation);
    }
}
