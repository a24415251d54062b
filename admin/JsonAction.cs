using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.Json.Nodes;

namespace Orleans.Tokens.Admin;

/// <summary>
/// The action of a command that answers JSON. Alone it prints its answer on standard output, or its error on
/// standard error and exits 1; a batch runs it through <see cref="RunAsync"/> and prints both on standard output.
/// </summary>
internal sealed class JsonAction(Func<ParseResult, CancellationToken, Task<JsonNode>> run) : AsynchronousCommandLineAction
{
    public async Task<Reply> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            return Reply.Success(await run(parse, cancellationToken));
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Reply.Failure(failure.Message);
        }
    }

    public override async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var reply = await RunAsync(parse, cancellationToken);
        var writer = reply.Succeeded ? parse.InvocationConfiguration.Output : parse.InvocationConfiguration.Error;
        await writer.WriteLineAsync(Json.Line(reply.Json));
        return reply.Succeeded ? 0 : 1;
    }
}
