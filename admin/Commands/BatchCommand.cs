using System.CommandLine;

namespace Orleans.Tokens.Admin.Commands;

/// <summary>
/// <c>batch [--input FILE]</c>: one command per line of standard input (or of FILE: a Kubernetes Job has no
/// standard input, so the admin Job reads its commands from a mounted ConfigMap), split on whitespace, and one JSON
/// line per command on standard output, errors included (blank lines and lines starting with # are skipped), all over one cluster connection. Exits 1 when any line
/// failed; an unreadable FILE is an error before anything runs.
/// </summary>
internal static class BatchCommand
{
    /// <param name="lineCommands">What a line may run: every command but batch itself.</param>
    public static Command Create(RootCommand lineCommands)
    {
        var input = new Option<FileInfo>("--input")
        {
            Description = "Reads the commands from this file instead of standard input",
        }.AcceptExistingOnly();
        var command = new Command("batch", "Runs one command per line of standard input and prints one JSON line per command")
        {
            input,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var failed = false;
            using var file = parse.GetValue(input)?.OpenText();
            var lines = file ?? Console.In;
            while (await lines.ReadLineAsync(cancellationToken) is { } line)
            {
                var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0 || words[0].StartsWith('#')) continue;
                var reply = await RunAsync(lineCommands.Parse(words), cancellationToken);
                failed |= !reply.Succeeded;
                await output.WriteLineAsync(Json.Line(reply.Json));
            }
            return failed ? 1 : 0;
        });
        return command;
    }

    private static async Task<Reply> RunAsync(ParseResult line, CancellationToken cancellationToken) =>
        Reply.FromParseErrors(line)
        ?? (line.Action is JsonAction action
            ? await action.RunAsync(line, cancellationToken)
            : Reply.Failure("a batch line must be one command, not a request for help or version"));
}
