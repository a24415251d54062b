using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orleans.Tokens.Admin.Commands;

/// <summary>
/// <c>token inspect</c>: verifies a token with the token key ring, without the cluster; <c>token revoke</c>: refuses a
/// token at every later redemption (contract section 8).
/// </summary>
internal static class TokenCommands
{
    private const string KeyMask = "********";

    public static Command Create(AdminContext context) => new("token", "License tokens")
    {
        InspectCommand(context),
        RevokeCommand(context),
    };

    private static Command RevokeCommand(AdminContext context)
    {
        var tokenId = new Argument<string>("tokenId") { Description = "The token id, as records and logs show it" };
        var customer = new Option<long?>("--customer")
        {
            Description = "The token's customer: needed only for a token id of the earlier form (32 hex digits), which names none",
        };
        var command = new Command("revoke", "Refuses a token at every later redemption") { tokenId, customer };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetRequiredValue(tokenId).ToLowerInvariant();
            if (!TokenIds.IsTokenId(id)) throw new AdminException($"not a token id (48 hex digits, or 32 for tokens minted before): {id}");
            var named = TokenIds.CustomerOf(id);
            var given = parse.GetValue(customer);
            var customerId = named ?? given
                ?? throw new AdminException("this token id names no customer: give --customer");
            if (named is not null && given is not null && given != named)
                throw new AdminException($"token {id} is customer {named}'s, not {given}'s");
            var grain = await context.CustomerAsync(customerId, cancellationToken);
            var revoked = await grain.RevokeToken(id);
            return new JsonObject { ["tokenId"] = id, ["customerId"] = customerId, ["revoked"] = true, ["already"] = !revoked };
        });
        return command;
    }

    private static Command InspectCommand(AdminContext context)
    {
        var token = new Argument<string>("token") { Description = "The token, as minted" };
        var showKey = new Option<bool>("--show-key") { Description = "Print the content key instead of a mask" };
        var command = new Command("inspect", "Verifies a token and prints its payload, every content key masked") { token, showKey };
        command.Action = new JsonAction((parse, _) =>
        {
            var payload = context.KeyRing.Open(parse.GetRequiredValue(token), DateTimeOffset.UtcNow, out var reason)
                ?? throw new AdminException($"{(int)ErrorCode.InvalidToken} Invalid token: {reason}");
            return Task.FromResult<JsonNode>(Describe(payload, parse.GetValue(showKey)));
        });
        return command;
    }

    private static JsonObject Describe(TokenPayload payload, bool showKey)
    {
        var json = JsonSerializer.SerializeToNode(payload, TokenJson.Default.TokenPayload)!.AsObject();
        json["issuedAt"] = Json.Time(payload.IssuedAt);
        json["expiresAt"] = Json.Time(payload.ExpiresAt);
        // The content key of every key of the token (section 14), masked unless asked for.
        if (!showKey)
        {
            json["contentKey"] = KeyMask;
            foreach (var key in json["keys"]!.AsArray()) key!["contentKey"] = KeyMask;
        }
        if (payload.PlayReady?.RentalPeriodEndTime is { } rentalEnd)
            json["playReady"]!["rentalPeriodEndTime"] = Json.Time(rentalEnd);
        return json;
    }
}
