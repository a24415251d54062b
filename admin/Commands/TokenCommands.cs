using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orleans.Tokens.Admin.Commands;

/// <summary><c>token inspect</c>: verifies a token with the token key ring, without the cluster.</summary>
internal static class TokenCommands
{
    private const string KeyMask = "********";

    public static Command Create(AdminContext context) => new("token", "License tokens")
    {
        InspectCommand(context),
    };

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
        json["kid"] = payload.Kid.ToLowerInvariant();
        json["contentKey"] = showKey ? payload.ContentKey.ToLowerInvariant() : KeyMask;
        // Every key of the token (section 14), each masked like the first.
        foreach (var key in json["keys"]!.AsArray())
        {
            if (!showKey) key!["contentKey"] = KeyMask;
        }
        if (payload.PlayReady?.RentalPeriodEndTime is { } rentalEnd)
            json["playReady"]!["rentalPeriodEndTime"] = Json.Time(rentalEnd);
        return json;
    }
}
