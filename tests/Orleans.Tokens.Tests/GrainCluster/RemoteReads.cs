using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// The silo's row reads (<see cref="IGrainRows"/>) answered as a remote database answers them, for the grains a test
/// names (<see cref="Of"/>): never within the turn that asks, always in a later one. A test double, since the SQLite
/// storage answers a point read from memory at once, where PostgreSQL's is a round trip; every other grain's reads
/// go straight through.
/// </summary>
public sealed class RemoteReads(IGrainRows inner) : IGrainRows
{
    private readonly ConcurrentDictionary<GrainId, bool> _remote = new();

    /// <summary>Replaces the keyed rows <paramref name="name"/> registered so far with itself around them.</summary>
    public static void Around(IServiceCollection services, string name) =>
        HeldWrites.Wrap<IGrainRows>(services, name, rows => new RemoteReads(rows));

    /// <summary>From now on, <paramref name="grain"/>'s reads answer in a later turn.</summary>
    public void Of(IAddressable grain) => _remote[grain.GetGrainId()] = true;

    public async Task<object?> Find(GrainId grainId, string kind, string key)
    {
        if (_remote.ContainsKey(grainId)) await Task.Yield();
        return await inner.Find(grainId, kind, key);
    }

    public async Task<IReadOnlyList<object>> List(GrainId grainId, string kind)
    {
        if (_remote.ContainsKey(grainId)) await Task.Yield();
        return await inner.List(grainId, kind);
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset?>> Keys(GrainId grainId, string kind)
    {
        if (_remote.ContainsKey(grainId)) await Task.Yield();
        return await inner.Keys(grainId, kind);
    }
}
