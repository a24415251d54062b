using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Orleans.Tokens.Gateway.Requests;

/// <summary>
/// A Kestrel connection middleware that answers a request whose client half-closed its side after sending it
/// (<c>shutdown(SHUT_WR)</c>, which RFC 9112 §9.6 allows and some clients and proxies do).
/// <para>
/// Kestrel 10's socket transport takes the end of a connection's input (a FIN) as the connection closing: it
/// completes the input and cancels <see cref="BaseConnectionContext.ConnectionClosed"/>, on which Kestrel's HTTP/1.1
/// connection aborts the request in flight and its response (<c>Http1Connection.OnInputOrOutputCompleted</c>), and
/// then resets the socket. A mint debited meanwhile was never answered.
/// </para>
/// <para>
/// Between the transport and Kestrel's HTTP layer, this copies the input into a pipe of its own that simply ends at
/// a FIN, read through an <see cref="EndAfterDataReader"/>: Kestrel sees the end only after the bytes before it,
/// when it reads for a next request, after it has answered. The connection is reported closed only when the input
/// fails (a reset, or an abort), so a client that is really gone still aborts its request
/// (<see cref="HttpContext.RequestAborted"/>).
/// </para>
/// </summary>
internal static class HalfCloseTransport
{
    /// <summary>
    /// Adds the middleware to an endpoint. <paramref name="maxBufferedInput"/> bounds the bytes the copy holds
    /// unread, as <see cref="KestrelServerLimits.MaxRequestBufferSize"/> bounds the transport's own pipe: Kestrel
    /// needs a whole request line and head in the pipe before it consumes any of it.
    /// </summary>
    public static void UseHalfCloseTransport(this ListenOptions listen, long maxBufferedInput) =>
        listen.Use(next => async connection =>
        {
            var transport = connection.Transport;
            var connectionClosed = connection.ConnectionClosed;
            using var inputFailed = new CancellationTokenSource();
            var input = new Pipe(new PipeOptions(
                pool: connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool ?? MemoryPool<byte>.Shared,
                readerScheduler: PipeScheduler.Inline,
                writerScheduler: PipeScheduler.Inline,
                pauseWriterThreshold: maxBufferedInput,
                resumeWriterThreshold: maxBufferedInput / 2,
                useSynchronizationContext: false));
            var copying = Copy(transport.Input, input.Writer, inputFailed);
            connection.Transport = new DuplexPipe(new EndAfterDataReader(input.Reader), transport.Output);
            connection.ConnectionClosed = inputFailed.Token;
            try
            {
                await next(connection);
            }
            finally
            {
                // Kestrel is done with the connection: stop the copy wherever it waits, then give the transport back.
                input.Reader.Complete();
                transport.Input.CancelPendingRead();
                await copying;
                connection.Transport = transport;
                connection.ConnectionClosed = connectionClosed;
            }
        });

    /// <summary>
    /// Copies <paramref name="from"/> into <paramref name="to"/> until the client's FIN (then <paramref name="to"/>
    /// ends cleanly), a failure (passed on, and <paramref name="inputFailed"/> cancelled) or the end of the
    /// connection, when the reader of <paramref name="to"/> has completed. The transport's reader is left for the
    /// transport to complete when it disposes the connection.
    /// </summary>
    private static async Task Copy(PipeReader from, PipeWriter to, CancellationTokenSource inputFailed)
    {
        try
        {
            while (true)
            {
                var read = await from.ReadAsync();
                foreach (var segment in read.Buffer) to.Write(segment.Span);
                from.AdvanceTo(read.Buffer.End);
                var flushed = await to.FlushAsync();
                // A cancelled read or flush is not the end of the input: ending the copy cleanly there would show
                // Kestrel a FIN that never came. The copy stops at the FIN, or once Kestrel is done with the connection
                // (its reader completed, then the transport's read cancelled, as below).
                if (read.IsCompleted || flushed.IsCompleted) break;
            }
        }
        catch (Exception failure)
        {
            // The connection is reported closed first, so that Kestrel has marked the request aborted by the time its
            // reader sees the failure; the other way round, Kestrel would try to drain the failed body and log an error.
            await inputFailed.CancelAsync();
            await to.CompleteAsync(failure);
            return;
        }
        await to.CompleteAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
