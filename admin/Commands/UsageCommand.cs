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
                    ["production"] = Environment(days, TokenEnvironment.Production),
                    ["test"] = Environment(days, TokenEnvironment.Test),
                },
                ["days"] = new JsonArray([.. days.Select(day => new JsonObject
                {
                    ["day"] = day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["production"] = Environment([day], TokenEnvironment.Production),
                    ["test"] = Environment([day], TokenEnvironment.Test),
                })]),
            };
        });
        return command;
    }

    /// <summary>The tokens of <paramref name="environment"/> on <paramref name="days"/>, by DRM name.</summary>
    private static JsonObject Environment(IEnumerable<UsageDay> days, TokenEnvironment environment) =>
        new(Enum.GetValues<Drm>().Select(drm =>
            KeyValuePair.Create(drm.Name(), (JsonNode?)days.Sum(day => day.Count(environment, drm)))));
}
