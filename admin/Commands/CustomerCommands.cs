using System.CommandLine;
using System.Text.Json.Nodes;
using static Orleans.Tokens.Admin.CommandArguments;

namespace Orleans.Tokens.Admin.Commands;

/// <summary><c>customer create|show|credit|journal|disable|enable|set</c>.</summary>
internal static class CustomerCommands
{
    public static Command Create(AdminContext context) => new("customer", "Customer accounts")
    {
        CreateCommand(context),
        ShowCommand(context),
        CreditCommand(context),
        JournalCommand(context),
        EnabledCommand(context, "disable", enabled: false, "Disables the account: every mint is refused with -2031"),
        EnabledCommand(context, "enable", enabled: true, "Enables the account again"),
        SetCommand(context),
    };

    private static Command CreateCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var balance = BalanceOption("--balance", "The starting production balance (default 0)");
        var testBalance = BalanceOption("--test-balance", "The starting test balance (default 0)");
        var widevine = SwitchOption("--widevine", "Whether Widevine tokens may be minted (default true)");
        var playReady = SwitchOption("--playready", "Whether PlayReady tokens may be minted (default true)");
        var fairPlay = SwitchOption("--fairplay", "Whether FairPlay tokens may be minted (default true)");
        var command = new Command("create", "Creates an enabled account; prints its first authenticators, the only time their secrets are shown")
        {
            customerId, balance, testBalance, widevine, playReady, fairPlay,
        };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var options = new CustomerOptions(parse.GetValue(widevine) ?? true, parse.GetValue(playReady) ?? true, parse.GetValue(fairPlay) ?? true);
            var created = await grain.Create(options, parse.GetValue(balance), parse.GetValue(testBalance));
            return new JsonObject
            {
                ["customerId"] = created.CustomerId,
                ["authenticators"] = new JsonObject
                {
                    ["production"] = created.Production.Authenticator,
                    ["test"] = created.Test.Authenticator,
                },
            };
        });
        return command;
    }

    private static Command ShowCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var command = new Command("show", "Prints the account, without secrets") { customerId };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            return Describe(await grain.Show());
        });
        return command;
    }

    private static Command CreditCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var tokens = TokensArgument("N", minimum: 1);
        var environment = EnvironmentOption(required: false);
        var reference = new Option<string?>("--reference")
        {
            Description = "The operator's reference: a second credit with the same reference changes nothing and prints the first one's result",
        };
        var command = new Command("credit", "Adds N tokens to the balance of one environment, journalled (contract section 11)")
        {
            customerId, tokens, environment, reference,
        };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var credited = await grain.Credit(parse.GetValue(environment), parse.GetValue(tokens), parse.GetValue(reference), Actor);
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["environment"] = credited.Entry.Environment.Name(),
                ["balance"] = credited.Entry.Balance,
                ["reference"] = credited.Entry.Reference,
            };
        });
        return command;
    }

    private static Command JournalCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var command = new Command("journal",
            "Prints every balance change other than a mint (opening balances, credits) and the totals per environment: opening + credits - debits = balance")
        {
            customerId,
        };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var journal = await grain.Journal();
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["entries"] = new JsonArray([.. journal.Entries.Select(entry => new JsonObject
                {
                    ["time"] = Json.Time(entry.Time),
                    ["kind"] = entry.Change,
                    ["environment"] = entry.Environment.Name(),
                    ["amount"] = entry.Amount,
                    ["balance"] = entry.Balance,
                    ["reference"] = entry.Reference,
                    ["actor"] = entry.Actor,
                })]),
                ["totals"] = new JsonObject
                {
                    ["production"] = Totals(journal.Production),
                    ["test"] = Totals(journal.Test),
                },
            };
        });
        return command;
    }

    private static JsonObject Totals(JournalTotals totals) => new()
    {
        ["opening"] = totals.Opening,
        ["credits"] = totals.Credits,
        ["debits"] = totals.Debits,
        ["balance"] = totals.Balance,
    };

    /// <summary>Who a journal entry names: the operating-system user and host running the admin tool.</summary>
    private static string Actor => $"{System.Environment.UserName}@{System.Environment.MachineName}";

    private static Command EnabledCommand(AdminContext context, string name, bool enabled, string description)
    {
        var customerId = CustomerIdArgument();
        var command = new Command(name, description) { customerId };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            return Describe(await grain.SetEnabled(enabled));
        });
        return command;
    }

    private static Command SetCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var widevine = SwitchOption("--widevine", "Whether Widevine tokens may be minted");
        var playReady = SwitchOption("--playready", "Whether PlayReady tokens may be minted");
        var fairPlay = SwitchOption("--fairplay", "Whether FairPlay tokens may be minted");
        var rate = new Option<string>("--max-mints-per-second")
        {
            Description = "At most N mints a second over every gateway (N >= 1), or none for no limit",
        };
        var command = new Command("set", "Turns the DRM options on or off, or sets the mint rate limit") { customerId, widevine, playReady, fairPlay, rate };
        command.Validators.Add(result =>
        {
            if (result.GetResult(widevine) is null && result.GetResult(playReady) is null && result.GetResult(fairPlay) is null
                && result.GetResult(rate) is null)
                result.AddError("customer set needs --widevine, --playready, --fairplay or --max-mints-per-second");
            if (result.GetResult(rate) is not null && !TryRate(result.GetValue(rate), out _))
                result.AddError("--max-mints-per-second takes a whole number from 1 to 1000000, or none");
        });
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            CustomerView? view = null;
            if (parse.GetResult(widevine) is not null || parse.GetResult(playReady) is not null || parse.GetResult(fairPlay) is not null)
                view = await grain.SetOptions(parse.GetValue(widevine), parse.GetValue(playReady), parse.GetValue(fairPlay));
            if (parse.GetResult(rate) is not null && TryRate(parse.GetValue(rate), out var limit))
                view = await grain.SetMintRateLimit(limit);
            return Describe(view!);
        });
        return command;
    }

    /// <summary>A mint rate limit as given: a whole number 1–1,000,000, or <c>none</c> (null).</summary>
    private static bool TryRate(string? text, out int? limit)
    {
        limit = null;
        if (text == "none") return true;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value is < 1 or > 1_000_000) return false;
        limit = value;
        return true;
    }

    private static JsonObject Describe(CustomerView customer) => new()
    {
        ["customerId"] = customer.CustomerId,
        ["enabled"] = customer.Enabled,
        ["widevine"] = customer.Options.Widevine,
        ["playready"] = customer.Options.PlayReady,
        ["fairplay"] = customer.Options.FairPlay,
        ["maxMintsPerSecond"] = customer.MaxMintsPerSecond,
        ["balances"] = new JsonObject
        {
            ["production"] = customer.ProductionBalance,
            ["test"] = customer.TestBalance,
        },
        ["authenticators"] = new JsonArray([.. customer.Authenticators.Select(a => new JsonObject
        {
            ["id"] = a.Id,
            ["environment"] = a.Environment.Name(),
            ["createdAt"] = Json.Time(a.CreatedAt),
        })]),
    };
}
