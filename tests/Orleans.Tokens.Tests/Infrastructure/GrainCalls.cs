using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// A silo's incoming grain calls, counted by grain and method, and the mints they carried (one a <c>Mint</c>, every
/// request of a <c>MintMany</c>): how a test knows that a call has reached its grain, and how a gateway grouped its
/// mints. A call counts once the grain method has run up to its first wait (a customer grain's mints are decided
/// then). It only counts; no call is changed or delayed.
/// </summary>
public sealed class GrainCalls : IIncomingGrainCallFilter
{
    private readonly Dictionary<(GrainId Grain, string Method), int> _calls = [];
    private readonly Dictionary<GrainId, int> _mints = [];
    private readonly List<(GrainId Grain, string Method, int Count, TaskCompletionSource Reached)> _waiting = [];

    /// <summary>Counts the incoming calls of the silo whose services these are.</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.AddSingleton<GrainCalls>();
        services.AddSingleton<IIncomingGrainCallFilter>(provider => provider.GetRequiredService<GrainCalls>());
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // The pipeline runs the grain method synchronously up to its first wait, inside Invoke.
        var call = context.Invoke();
        Count(context);
        return call;
    }

    /// <summary>How many <paramref name="method"/> calls <paramref name="grain"/> has run.</summary>
    public int Count(IAddressable grain, string method)
    {
        lock (_calls) return _calls.GetValueOrDefault((grain.GetGrainId(), method));
    }

    /// <summary>How many mints <paramref name="grain"/> was sent, alone or in batches.</summary>
    public int Mints(IAddressable grain)
    {
        lock (_calls) return _mints.GetValueOrDefault(grain.GetGrainId());
    }

    /// <summary>Completes once <paramref name="grain"/> has run <paramref name="count"/> calls of <paramref name="method"/>; fails after 10 s.</summary>
    public Task Reached(IAddressable grain, string method, int count = 1)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_calls)
        {
            if (_calls.GetValueOrDefault((grain.GetGrainId(), method)) >= count) return Task.CompletedTask;
            _waiting.Add((grain.GetGrainId(), method, count, reached));
        }
        return reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private void Count(IIncomingGrainCallContext context)
    {
        var mints = context.MethodName switch
        {
            nameof(ICustomerGrain.Mint) => 1,
            nameof(ICustomerGrain.MintMany) => ((ImmutableArray<MintRequest>)context.Request.GetArgument(1)!).Length,
            _ => 0,
        };
        lock (_calls)
        {
            var key = (context.TargetId, context.MethodName);
            var count = _calls[key] = _calls.GetValueOrDefault(key) + 1;
            if (mints > 0) _mints[context.TargetId] = _mints.GetValueOrDefault(context.TargetId) + mints;
            foreach (var waiter in _waiting.FindAll(w => w.Grain == key.TargetId && w.Method == key.MethodName && w.Count <= count))
            {
                _waiting.Remove(waiter);
                waiter.Reached.TrySetResult();
            }
        }
    }
}
