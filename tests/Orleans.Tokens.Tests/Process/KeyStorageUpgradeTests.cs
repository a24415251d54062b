using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Issue 11's upgrade: a data directory written by the release before key storage had rows of its own (keys in the
/// account state, in clear) opens with today's gateway, which moves its keys to sealed rows and mints kid-only as
/// before. The fixture (<c>Fixtures/DataBeforeKeyRows</c>) was made with the code at 742c6a7: the embedded gateway on a
/// fresh data directory, <c>admin customer create 7100001 --balance 100</c>, two <c>admin key put</c>, one kid-only
/// Widevine mint with <c>Idempotency-Key: before-key-rows</c>, then SIGTERM; its <c>tls</c> directory was left out
/// (a gateway makes its own). <c>fixture.json</c> holds the customer's authenticator, the keys and that mint.
/// The mint's idempotency record lives 24 hours from when it was recorded; the copy a test runs on has it recorded
/// a minute before, in the same form (an <see cref="IdempotencyRecord"/> in Orleans' serialization), so that the
/// replay does not depend on the day the test runs. Tokens of that mint are opened as of its issue time.
/// </summary>
[Collection(ProcessCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class KeyStorageUpgradeTests(ITestOutputHelper log)
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "DataBeforeKeyRows");

    [Fact]
    public async Task A_data_directory_with_keys_in_the_account_state_opens_moves_them_to_sealed_rows_and_mints_as_before()
    {
        using var fixture = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Fixture, "fixture.json")));
        var root = fixture.RootElement;
        var customerId = root.GetProperty("customerId").GetInt64();
        var authenticator = root.GetProperty("production").GetString()!;
        var keys = root.GetProperty("keys").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var keyed = root.GetProperty("keyedMint");
        var dataDirectory = CopyOfFixture();
        var issuedAt = RecordKeyedMintAMinuteAgo(Path.Combine(dataDirectory, "tokens.db"));

        await using var gateway = await GatewayProcess.StartOnAsync(log, dataDirectory);

        // Kid-only mints take the keys that were in the account state.
        foreach (var (kid, contentKey) in keys)
        {
            var answer = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
            [
                new("customerAuthenticator", authenticator), new("kid", kid), new("securityLevel", "1"), new("hdcpOutputControl", "0"),
            ]);
            var opened = gateway.LoadKeyRing().Open(answer.WidevineToken(gateway.BaseUrl), DateTimeOffset.UtcNow, out var reason);
            Assert.True(opened is not null, reason);
            Assert.Equal(contentKey, opened.ContentKey.Hex());
        }

        // The keyed mint made before the upgrade is replayed: the same token id, nothing debited.
        var firstId = gateway.LoadKeyRing().Open(keyed.GetProperty("token").GetString()!, issuedAt, out _)!.TokenId;
        using (var retry = new HttpRequestMessage(HttpMethod.Get,
            $"{TokenRequests.WidevinePath}?customerAuthenticator={authenticator}&{keyed.GetProperty("query").GetString()}"))
        {
            retry.Headers.Add("Idempotency-Key", keyed.GetProperty("idempotencyKey").GetString());
            var answer = await MintAnswer.ReadAsync(await gateway.Http.SendAsync(retry));
            Assert.Equal(firstId, gateway.LoadKeyRing().Open(answer.WidevineToken(gateway.BaseUrl), issuedAt, out _)!.TokenId);
        }
        Assert.Equal(100 - 1 - keys.Count, await gateway.Admin.ProductionBalanceAsync(customerId));

        // The admin tool and the key-storage API see the same two keys.
        var listed = (await gateway.Admin.RunOkAsync("key", "list", customerId.ToString())).GetProperty("kids");
        Assert.Equal(keys.Keys.Order(StringComparer.Ordinal), listed.EnumerateArray().Select(kid => kid.GetString()!));
        var count = await gateway.Http.GetAsync($"/keystore/keycount?customerAuthenticator={authenticator}");
        Assert.Equal((HttpStatusCode.OK, "2"), (count.StatusCode, (await count.Content.ReadAsStringAsync()).Trim()));

        // Once stopped, nothing of the clear keys is left in the database's files: the rows are sealed, and the
        // state that held them was rewritten.
        Assert.True(await gateway.StopAsync(), "the gateway did not stop by itself");
        var files = Directory.GetFiles(dataDirectory, "tokens.db*");
        foreach (var contentKey in keys.Values)
        {
            foreach (var file in files)
            {
                var bytes = await File.ReadAllBytesAsync(file);
                Assert.False(bytes.AsSpan().IndexOf(Convert.FromHexString(contentKey)) >= 0, $"{Path.GetFileName(file)} holds a key's bytes");
                Assert.False(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(contentKey)) >= 0, $"{Path.GetFileName(file)} holds a key's hex");
            }
        }
    }

    /// <summary>
    /// Moves the copy's one idempotency record (its log row, as the release before wrote it) to a minute ago: its
    /// recording time and row times; returns its token's issue time.
    /// </summary>
    private static DateTimeOffset RecordKeyedMintAMinuteAgo(string database)
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT Id, Payload FROM GrainLog WHERE Kind = 'idempotency'";
        using var reader = read.ExecuteReader();
        Assert.True(reader.Read(), "the fixture has no idempotency record");
        var (id, record) = (reader.GetInt64(0), (IdempotencyRecord)serializer.Deserialize<object>((byte[])reader[1])!);
        reader.Close();
        var recordedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var write = connection.CreateCommand();
        write.CommandText = "UPDATE GrainLog SET Payload = $payload, CreatedAtMs = $created, ExpiresAtMs = $expires WHERE Id = $id";
        write.Parameters.AddWithValue("$payload", serializer.SerializeToArray<object>(record with { RecordedAt = recordedAt }));
        write.Parameters.AddWithValue("$created", recordedAt.ToUnixTimeMilliseconds());
        write.Parameters.AddWithValue("$expires", (recordedAt + IdempotencyRecord.Window).ToUnixTimeMilliseconds());
        write.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, write.ExecuteNonQuery());
        return record.IssuedAt;
    }

    /// <summary>A fresh copy, so that the fixture itself is never changed: its files 0600 in a 0700 directory, as a data directory's are.</summary>
    private static string CopyOfFixture()
    {
        var directory = Path.Combine(Path.GetTempPath(), "orleans-tokens-upgrade-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var name in new[] { "tokens.db", "token-keys.json" })
        {
            var copy = Path.Combine(directory, name);
            File.Copy(Path.Combine(Fixture, name), copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return directory;
    }
}
