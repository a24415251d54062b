using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace Orleans.Tokens.Hosting;

/// <summary>
/// The deadlines behind contract section 11's "Knowing the outcome", ordered so that a grain always settles its own
/// outcome before its caller gives up:
/// <list type="bullet">
/// <item><see cref="Storage"/> (<c>Storage:Timeout</c>, default 3 s) bounds one storage operation: a write's wait
/// in the batching queue, for a pooled connection and for the command together; a fence; a read.</item>
/// <item>A failed write is settled in at most three of those (the write, its fence, the read-back).</item>
/// <item><see cref="Call"/> (<c>Cluster:CallTimeout</c>, default 15 s) is Orleans' response timeout on silos and
/// clients: where a gateway gives up on a grain call (503 -9001). It must exceed three storage deadlines.</item>
/// </list>
/// </summary>
public sealed record Deadlines(TimeSpan Storage, TimeSpan Call)
{
    public static readonly Deadlines Default = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));

    /// <summary>
    /// Orleans' messaging for a silo or client: grain calls time out after <see cref="Call"/>, and a caller that
    /// cancels a call learns it only once the grain has seen the cancellation, so that a mint it abandons is marked
    /// in the grain before the caller moves on (<c>GroupCommit</c> then never writes it).
    /// </summary>
    public void Apply(MessagingOptions options)
    {
        options.ResponseTimeout = Call;
        options.WaitForCancellationAcknowledgement = true;
    }

    /// <summary>Reads both from configuration (TimeSpan text, e.g. <c>00:00:03</c>); throws when out of order.</summary>
    public static Deadlines From(IConfiguration configuration)
    {
        var deadlines = new Deadlines(
            configuration.GetValue("Storage:Timeout", Default.Storage),
            configuration.GetValue("Cluster:CallTimeout", Default.Call));
        if (deadlines.Storage <= TimeSpan.Zero)
            throw new InvalidOperationException("Storage:Timeout must be positive");
        if (deadlines.Call <= 3 * deadlines.Storage)
            throw new InvalidOperationException(
                $"Cluster:CallTimeout ({deadlines.Call}) must exceed three Storage:Timeout ({3 * deadlines.Storage}), so that a grain settles a failed write before its caller gives up");
        return deadlines;
    }
}
