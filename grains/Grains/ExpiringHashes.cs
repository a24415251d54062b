using System.Runtime.InteropServices;

namespace Orleans.Tokens.Grains;

/// <summary>
/// A set of 64-bit hashes, each live until its expiry (UTC ticks), kept in structs only: however many it holds, it
/// costs the garbage collector nothing to trace. <see cref="Expire"/> drops the expired from the front of a queue in
/// the order they were added: one added with an earlier expiry than one before it stays until that one goes, and
/// <see cref="Contains"/> still says it expired.
/// </summary>
internal sealed class ExpiringHashes
{
    private readonly Dictionary<ulong, long> _live = [];
    private readonly Queue<(ulong Hash, long Expires)> _expiring = new();

    /// <summary>Whether <paramref name="hash"/> is live at <paramref name="now"/>.</summary>
    public bool Contains(ulong hash, DateTimeOffset now) => _live.TryGetValue(hash, out var expires) && expires > now.UtcTicks;

    /// <summary>Adds <paramref name="hash"/> until <paramref name="expires"/>, or keeps it longer if it is live longer already.</summary>
    public void Add(ulong hash, DateTimeOffset expires)
    {
        var ticks = expires.UtcTicks;
        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_live, hash, out var exists);
        if (exists && known >= ticks) return;
        known = ticks;
        _expiring.Enqueue((hash, ticks));
    }

    /// <summary>Drops the hashes at the front of the queue that expired by <paramref name="now"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        while (_expiring.TryPeek(out var head) && head.Expires <= now.UtcTicks)
        {
            _expiring.Dequeue();
            if (_live.TryGetValue(head.Hash, out var known) && known == head.Expires) _live.Remove(head.Hash);
        }
    }
}
