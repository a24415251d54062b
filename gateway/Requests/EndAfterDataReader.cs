using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Orleans.Tokens.Gateway.Requests;

/// <summary>
/// A <see cref="PipeReader"/> over <paramref name="inner"/> that reports the end of the input only once its reader
/// has examined every byte before it.
/// <para>
/// Kestrel 10 takes an input that has ended as a client that is gone even when the bytes it is given are complete:
/// <c>Http1ContentLengthMessageBody</c> throws "Unexpected end of request content" as soon as a read result is
/// completed, however much of the body it holds. So a request whose last bytes arrive together with the client's
/// FIN would be refused. Here such a read is shown as not completed; the end shows on the next read, which comes
/// only when Kestrel wants more than there is (a truncated request, or the next request of the connection).
/// </para>
/// </summary>
internal sealed class EndAfterDataReader(PipeReader inner) : PipeReader
{
    private ReadOnlySequence<byte> _handedOut;

    /// <summary>Bytes of the last buffer handed out that its reader examined, counted from what it consumed.</summary>
    private long _examined;

    // Pooled: most reads wait for the connection's next request, and each would otherwise allocate its state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        Shown(await inner.ReadAsync(cancellationToken));

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out var read))
        {
            result = default;
            return false;
        }
        result = Shown(read);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _examined = _handedOut.Slice(consumed, examined).Length;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    private ReadResult Shown(ReadResult read)
    {
        _handedOut = read.Buffer;
        return read.IsCompleted && read.Buffer.Length > _examined
            ? new ReadResult(read.Buffer, read.IsCanceled, isCompleted: false)
            : read;
    }
}
