using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using static Orleans.Tokens.Admin.CommandArguments;

namespace Orleans.Tokens.Admin.Commands;

/// <summary>
/// <c>usage &lt;customerId&gt; [--since YYYY-MM-DD]</c>: tokens minted per UTC day and DRM, from the durable counters
/// the account keeps (the last <see cref="UsageDay.KeptDays"/> days).
/// </summary>
internal static class UsageCommand
{
    public static Command Create(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var since = SinceOption();
        var command = new Command("usage",
            $"Prints the tokens minted per UTC day and DRM, by environment (the account keeps the last {UsageDay.KeptDays} days)")
        {
            customerId, since,
        };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var days = await grain.Usage(parse.GetValue(since));
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["since"] = parse.GetValue(since)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["total"] = new JsonObject
                {
                    ["production"] = Environment(days.Sum(d => d.ProductionWidevine), days.Sum(d => d.ProductionPlayReady), days.Sum(d => d.ProductionFairPlay)),
                    ["test"] = Environment(days.Sum(d => d.TestWidevine), days.Sum(d => d.TestPlayReady), days.Sum(d => d.TestFairPlay)),
                },
                ["days"] = new JsonArray([.. days.Select(day => new JsonObject
                {
                    ["day"] = day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["production"] = Environment(day.ProductionWidevine, day.ProductionPlayReady, day.ProductionFairPlay),
                    ["test"] = Environment(day.TestWidevine, day.TestPlayReady, day.TestFairPlay),
                })]),
            };
        });
        return command;
    }

    private static JsonObject Environment(long widevine, long playReady, long fairPlay) => new()
    {
        ["widevine"] = widevine,
        ["playready"] = playReady,
        ["fairplay"] = fairPlay,
    };
}
