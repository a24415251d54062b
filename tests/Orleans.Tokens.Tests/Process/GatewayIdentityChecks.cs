using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// What a gateway's cluster identity may not do (issue 9, must-show 1): the admin tool run with a gateway's
/// certificate instead of the admin one (an Orleans client that passes TLS, signing its commands with the gateway's
/// key) is refused every admin operation, and the account it tried to change is as it was.
/// </summary>
internal static class GatewayIdentityChecks
{
    /// <summary>
    /// Runs admin commands as <paramref name="asGateway"/> against <paramref name="customerId"/>, each of which must
    /// fail as an admin operation refused, then compares the account and its keys, as <paramref name="admin"/> shows
    /// them, with what they were before.
    /// </summary>
    public static async Task AssertAdminOperationsRefusedAsync(AdminProcess asGateway, AdminProcess admin, long customerId, ITestOutputHelper log)
    {
        var id = customerId.ToString();
        await admin.RunOkAsync("key", "put", id, "--kid", "^kept", "--key", "00112233445566778899aabbccddeeff");
        var account = (await admin.RunOkAsync("customer", "show", id)).GetRawText();
        var keys = (await admin.RunOkAsync("key", "list", id)).GetRawText();
        var journal = (await admin.RunOkAsync("customer", "journal", id)).GetRawText();
        var authenticatorId = (await admin.RunOkAsync("customer", "show", id)).GetProperty("authenticators")[0].GetProperty("id").GetString()!;

        string[][] commands =
        [
            ["customer", "credit", id, "1000"],
            ["customer", "credit", id, "1000", "--reference", "gateway-credit"],
            ["customer", "disable", id],
            ["customer", "set", id, "--widevine", "false"],
            ["authenticator", "add", id, "--environment", "production"],
            ["authenticator", "revoke", id, authenticatorId],
            ["key", "put", id, "--kid", "^planted", "--key", "ffeeddccbbaa99887766554433221100"],
            ["key", "delete", id, "--kid", "^kept"],
            ["customer", "show", id],
            ["customer", "create", (customerId + 1).ToString(), "--balance", "1000000"],
        ];
        foreach (var command in commands)
        {
            var result = await asGateway.RunAsync(command);
            log.WriteLine($"as the gateway: {string.Join(' ', command)} → exit {result.ExitCode}: {result.Stderr}");
            Assert.True(result.ExitCode != 0, $"{string.Join(' ', command)} with the gateway's identity succeeded: {result}");
            Assert.Contains("admin operation refused", result.Stderr);
        }

        Assert.Equal(account, (await admin.RunOkAsync("customer", "show", id)).GetRawText());
        Assert.Equal(keys, (await admin.RunOkAsync("key", "list", id)).GetRawText());
        Assert.Equal(journal, (await admin.RunOkAsync("customer", "journal", id)).GetRawText());
        Assert.NotEqual(0, (await admin.RunAsync("customer", "show", (customerId + 1).ToString())).ExitCode);
    }
}
