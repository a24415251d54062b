using System.CommandLine;
using System.Text.Json.Nodes;
using static Orleans.Tokens.Admin.CommandArguments;

namespace Orleans.Tokens.Admin.Commands;

/// <summary><c>key put|get|delete|list</c>: the customer's key storage. KIDs print as 32 lower-case hex digits.</summary>
internal static class KeyCommands
{
    public static Command Create(AdminContext context) => new("key", "A customer's content key storage")
    {
        PutCommand(context),
        GetCommand(context),
        DeleteCommand(context),
        ListCommand(context),
    };

    private static Command PutCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var kid = KidOption();
        var key = ContentKeyOption();
        var command = new Command("put", "Stores a content key under a KID, replacing any key there") { customerId, kid, key };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var stored = parse.GetRequiredValue(kid);
            await grain.PutKey(stored, parse.GetRequiredValue(key));
            return new JsonObject { ["customerId"] = parse.GetValue(customerId), ["kid"] = Kid.ToHex(stored) };
        });
        return command;
    }

    private static Command GetCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var kid = KidOption();
        var command = new Command("get", "Prints the content key stored under a KID") { customerId, kid };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var wanted = parse.GetRequiredValue(kid);
            var key = await grain.GetKey(wanted)
                ?? throw new AdminException($"customer {parse.GetValue(customerId)} has no key in clear for kid {Kid.ToHex(wanted)}: " +
                    "none, or one held only wrapped under the customer's KEK (GET /keystore/keys/{kid} shows it)");
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["kid"] = Kid.ToHex(wanted),
                ["key"] = Convert.ToHexStringLower(key),
            };
        });
        return command;
    }

    private static Command DeleteCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var kid = KidOption();
        var command = new Command("delete", "Removes the content key stored under a KID") { customerId, kid };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var removed = parse.GetRequiredValue(kid);
            var deleted = await grain.DeleteKey(removed);
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["kid"] = Kid.ToHex(removed),
                ["deleted"] = deleted,
            };
        });
        return command;
    }

    private static Command ListCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var command = new Command("list", "Lists the KIDs in the key storage") { customerId };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var kids = await grain.ListKeys();
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["kids"] = new JsonArray([.. kids.Select(k => JsonValue.Create(k))]),
            };
        });
        return command;
    }
}
