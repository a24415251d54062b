using System.Text.Json;
using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>Accounts made and read with the admin tool's <c>batch</c> (one cluster connection for many commands).</summary>
internal static class ClusterAccounts
{
    /// <summary><c>customer create</c> for customers <paramref name="firstId"/>, <paramref name="firstId"/>+1, …</summary>
    public static async Task<List<Customer>> CreateCustomersAsync(this AdminProcess admin, long firstId, int count, long balance, long testBalance = 0)
    {
        var lines = Enumerable.Range(0, count).Select(i => $"customer create {firstId + i} --balance {balance} --test-balance {testBalance}");
        var customers = new List<Customer>();
        foreach (var json in await BatchAsync(admin, lines))
        {
            var authenticators = json.GetProperty("authenticators");
            customers.Add(new Customer(
                json.GetProperty("customerId").GetInt64(),
                authenticators.GetProperty("production").GetString()!,
                authenticators.GetProperty("test").GetString()!));
        }
        Assert.Equal(Enumerable.Range(0, count).Select(i => firstId + i), customers.Select(c => c.Id));
        return customers;
    }

    /// <summary><c>customer show</c> for each customer: its production and test balances.</summary>
    public static async Task<Dictionary<long, (long Production, long Test)>> BalancesAsync(this AdminProcess admin, IEnumerable<long> customerIds)
    {
        var ids = customerIds.ToList();
        var shown = await BatchAsync(admin, ids.Select(id => $"customer show {id}"));
        return ids.Zip(shown).ToDictionary(
            pair => pair.First,
            pair =>
            {
                Assert.Equal(pair.First, pair.Second.GetProperty("customerId").GetInt64());
                var balances = pair.Second.GetProperty("balances");
                return (balances.GetProperty("production").GetInt64(), balances.GetProperty("test").GetInt64());
            });
    }

    private static async Task<List<JsonElement>> BatchAsync(AdminProcess admin, IEnumerable<string> commands)
    {
        var input = string.Concat(commands.Select(c => c + "\n"));
        var result = await admin.RunWithInputAsync(input, "batch");
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == input.Count(c => c == '\n'), result.ToString());
        return [.. lines.Select(line => JsonDocument.Parse(line).RootElement)];
    }
}
