using System.CommandLine;
using System.Text.Json.Nodes;
using static Orleans.Tokens.Admin.CommandArguments;

namespace Orleans.Tokens.Admin.Commands;

/// <summary><c>authenticator add|revoke</c>: rotation without downtime.</summary>
internal static class AuthenticatorCommands
{
    public static Command Create(AdminContext context) => new("authenticator", "A customer's authenticators")
    {
        AddCommand(context),
        RevokeCommand(context),
    };

    private static Command AddCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var environment = EnvironmentOption(required: true);
        var command = new Command("add", "Issues a further authenticator; prints it, the only time its secret is shown") { customerId, environment };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var issued = await grain.AddAuthenticator(parse.GetValue(environment));
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["id"] = issued.Id,
                ["environment"] = issued.Environment.Name(),
                ["authenticator"] = issued.Authenticator,
            };
        });
        return command;
    }

    private static Command RevokeCommand(AdminContext context)
    {
        var customerId = CustomerIdArgument();
        var authenticatorId = new Argument<string>("authenticatorId") { Description = "The id that customer show lists" };
        var command = new Command("revoke", "Stops an authenticator at once") { customerId, authenticatorId };
        command.Action = new JsonAction(async (parse, cancellationToken) =>
        {
            var grain = await context.CustomerAsync(parse.GetValue(customerId), cancellationToken);
            var revoked = parse.GetRequiredValue(authenticatorId);
            await grain.RevokeAuthenticator(revoked);
            return new JsonObject
            {
                ["customerId"] = parse.GetValue(customerId),
                ["id"] = revoked,
                ["revoked"] = true,
            };
        });
        return command;
    }
}
