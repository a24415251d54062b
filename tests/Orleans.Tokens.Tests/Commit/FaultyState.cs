namespace Orleans.Tokens.Tests.Commit;

/// <summary>
/// A test double around a real stored state that injects one fault into the next write, or fails reads: the faults
/// a remote database shows (an acknowledgement lost after the commit, a failure before it, an unknown outcome),
/// which a local SQLite file cannot produce on demand. It counts the writes it was handed (<see cref="Writes"/>).
/// </summary>
internal sealed class FaultyState(IPersistentState<CustomerState> inner) : IPersistentState<CustomerState>
{
    /// <summary>The write commits, then its caller sees a connection error.</summary>
    public static readonly Func<Func<Task>, Task> LoseAcknowledgement = async write =>
    {
        await write();
        throw new IOException("connection reset after the commit");
    };

    /// <summary>The write never reaches the database, but its caller cannot know that.</summary>
    public static readonly Func<Func<Task>, Task> FailBeforeCommit = _ => throw new IOException("connection reset");

    /// <summary>The storage says it could not settle the write.</summary>
    public static readonly Func<Func<Task>, Task> Unknown = _ => throw new OutcomeUnknownException("could not be settled");

    /// <summary>Applied to the next write only.</summary>
    public Func<Func<Task>, Task>? NextWrite { get; set; }

    public bool FailReads { get; set; }

    public int Writes { get; private set; }

    public CustomerState State
    {
        get => inner.State;
        set => inner.State = value;
    }

    public string? Etag => inner.Etag;

    public bool RecordExists => inner.RecordExists;

    public Task ReadStateAsync() => FailReads ? throw new IOException("read failed") : inner.ReadStateAsync();

    public Task WriteStateAsync()
    {
        Writes++;
        var fault = NextWrite;
        NextWrite = null;
        return fault is null ? inner.WriteStateAsync() : fault(inner.WriteStateAsync);
    }

    public Task ClearStateAsync() => inner.ClearStateAsync();
}
