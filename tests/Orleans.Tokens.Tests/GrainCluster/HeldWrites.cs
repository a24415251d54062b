using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// The silo's customer storage with a hand on it: a test holds one grain's writes back (<see cref="Hold"/>) to see
/// what the grain answers while a change is not yet durable. Every other grain's writes pass straight through.
/// It counts each grain's writes (<see cref="Count"/>).
/// </summary>
public sealed class HeldWrites(IGrainStorage inner) : IGrainStorage
{
    private readonly ConcurrentDictionary<GrainId, Hold> _holds = new();
    private readonly ConcurrentDictionary<GrainId, int> _writes = new();

    /// <summary>Replaces the keyed grain storage <paramref name="name"/> registered so far with itself around it.</summary>
    public static void Around(IServiceCollection services, string name) =>
        Wrap<IGrainStorage>(services, name, storage => new HeldWrites(storage));

    /// <summary>Replaces the keyed singleton <paramref name="name"/> registered so far with <paramref name="wrap"/> of it.</summary>
    internal static void Wrap<TService>(IServiceCollection services, string name, Func<TService, TService> wrap) where TService : class
    {
        var registered = services.Single(d => d.ServiceType == typeof(TService) && Equals(d.ServiceKey, name));
        var factory = registered.KeyedImplementationFactory!;
        services.Remove(registered);
        services.AddKeyedSingleton(name, (provider, key) => wrap((TService)factory(provider, key)));
    }

    /// <summary>Holds back the writes of <paramref name="grain"/> until the hold is released.</summary>
    public Hold HoldWrites(IAddressable grain)
    {
        var hold = new Hold(() => _holds.TryRemove(grain.GetGrainId(), out _));
        if (!_holds.TryAdd(grain.GetGrainId(), hold)) throw new InvalidOperationException("already held");
        return hold;
    }

    /// <summary>How many writes of <paramref name="grain"/>'s states the storage was handed.</summary>
    public int Count(IAddressable grain) => _writes.GetValueOrDefault(grain.GetGrainId());

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _writes.AddOrUpdate(grainId, 1, static (_, count) => count + 1);
        if (_holds.TryGetValue(grainId, out var hold)) await hold.Wait();
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>One grain's held writes; disposing it releases them (also when a test fails).</summary>
    public sealed class Hold(Action remove) : IDisposable
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a write of the grain is being held.</summary>
        public Task Arrived => _arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        internal Task Wait()
        {
            _arrived.TrySetResult();
            return _released.Task;
        }

        public void Dispose()
        {
            remove();
            _released.TrySetResult();
        }
    }
}
