using System.CommandLine;
using Orleans.Tokens.Admin.Commands;

namespace Orleans.Tokens.Admin;

/// <summary>The commands of contract section 9, parsed with System.CommandLine.</summary>
internal static class AdminCommandLine
{
    public static async Task<int> RunAsync(string[] args, AdminContext context)
    {
        var root = Commands(context);
        root.Add(BatchCommand.Create(Commands(context)));
        var parse = root.Parse(args);
        // A parse error is answered in JSON like any other; help clears the errors it would otherwise show.
        if (parse.Action is not { ClearsParseErrors: true } && Reply.FromParseErrors(parse) is { } failure)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(Json.Line(failure.Json));
            return 1;
        }
        return await parse.InvokeAsync();
    }

    private static RootCommand Commands(AdminContext context) => new("Administers Orleans.Tokens customer accounts and inspects tokens")
    {
        CustomerCommands.Create(context),
        AuthenticatorCommands.Create(context),
        KeyCommands.Create(context),
        TokenCommands.Create(context),
        UsageCommand.Create(context),
        RecordsCommand.Create(context),
    };
}
