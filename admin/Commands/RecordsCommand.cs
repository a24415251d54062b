using System.CommandLine;
using System.Text.Json.Nodes;
using static Orleans.Tokens.Admin.CommandArguments;

namespace Orleans.Tokens.Admin.Commands;

/// <summary>
/// <c>records &lt;customerId&gt; [--cookie C] [--token T] [--start N] [--length M]</c>: the customer's redemption
/// records, newest first, as <c>GET /hms/records</c> answers them (contract section 8).
/// </summary>
internal static class RecordsCommand
{
    public static Command Create(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var cookie = new Option<string?>("--cookie") { Description = "Only the redemptions of tokens with this cookie" };
        var token = new Option<string?>("--token") { Description = "Only the redemptions of this token id" };
        var start = new Option<int>("--start") { Description = "Skip this many of the newest (default 0)" };
        var length = new Option<int>("--length")
        {
            Description = $"At most this many, 1 to {RecordsQuery.MaxLength} (default {RecordsQuery.DefaultLength}; with --cookie or --token, {RecordsQuery.MaxMatching})",
        };
        var command = new Command("records", "A customer's redemption records, newest first") { customerId, cookie, token, start, length };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var filtered = parse.GetValue(cookie) is not null || parse.GetValue(token) is not null;
            var count = parse.GetResult(length) is null ? (filtered ? RecordsQuery.MaxMatching : RecordsQuery.DefaultLength) : parse.GetValue(length);
            if (count < 1 || count > (filtered ? RecordsQuery.MaxMatching : RecordsQuery.MaxLength))
                throw new AdminException($"--length must be 1 to {RecordsQuery.MaxLength} ({RecordsQuery.MaxMatching} with --cookie or --token)");
            if (parse.GetValue(start) < 0) throw new AdminException("--start must be 0 or more");
            if (parse.GetValue(cookie) is not null && parse.GetValue(token) is not null) throw new AdminException("give --cookie or --token, not both");
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var records = await grain.Records(new RecordsQuery(parse.GetValue(cookie), parse.GetValue(token)?.ToLowerInvariant(), parse.GetValue(start), count));
            return JsonNode.Parse(RedemptionRecord.ListJson(records))!;
        });
        return command;
    }
}
