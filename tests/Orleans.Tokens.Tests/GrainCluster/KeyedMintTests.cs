using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;
using Orleans.Storage;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Tests.Commit;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// Keyed mints through <see cref="ICustomerGrain"/> on the real SQLite storage (contract section 11): an activation
/// reads the customer's keys once and takes a key it does not know as new, so a key that another activation wrote
/// meanwhile must still be answered with the first token and no second debit.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class KeyedMintTests(TokensTestCluster cluster)
{
    [Fact]
    public async Task A_key_another_activation_wrote_meanwhile_is_answered_with_its_token_and_no_second_debit()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        // The activation reads its keys with its first keyed mint.
        Assert.Equal(ErrorCode.None, (await customer.Grain.Mint(Keyed(customer, "first", "token-first"), default)).Code);

        // A second activation of the customer debits one token and records key K, in the form records had before
        // 2026-11-30: every content key wrapped, the one the request gives too.
        var other = new StoredGrainState<CustomerState>(cluster.Writes, "customer", customer.Grain.GetGrainId());
        await other.ReadStateAsync();
        var now = cluster.Clock.GetUtcNow();
        var record = new IdempotencyRecord(Fingerprint, "token-other", now, now, KeyWrap.Wrap(RecordKey, Mints.ContentKey));
        other.State = other.State.WithBalance(TokenEnvironment.Production, other.State.ProductionBalance - 1) with
        {
            WriteId = Guid.NewGuid(),
            Appends = [new GrainRow(IdempotencyRecord.Kind, "K", record, now, now + IdempotencyRecord.Window)],
        };
        await other.WriteStateAsync();

        // The first activation does not know K: the retry is refused at most once (nothing debited), then replayed.
        var retry = Keyed(customer, "K", "token-retry");
        MintResult answer;
        try
        {
            answer = await customer.Grain.Mint(retry, default);
        }
        catch (StorageUnavailableException)
        {
            answer = await customer.Grain.Mint(retry, default);
        }

        Assert.Equal((ErrorCode.None, "token-other", true), (answer.Code, answer.TokenId, answer.Replayed));
        // The request gave the key: the replay does not echo it (the record holds it for a kid-only first request).
        Assert.Null(answer.ContentKey);
        Assert.Equal([Mints.ContentKey], answer.ContentKeysFor(retry));
        Assert.Equal(8, (await customer.Grain.Show()).ProductionBalance);
        Assert.Equal(8, (await cluster.Stored(customer.Grain)).ProductionBalance);
    }

    private static readonly byte[] Fingerprint = SHA256.HashData("fingerprint"u8);
    private static readonly byte[] RecordKey = SHA256.HashData("record key"u8);

    /// <summary>
    /// The grain answers only the keys it took from key storage, never one it was given; a replay answers the
    /// first request's stored key from its record, even after the stored key changed.
    /// </summary>
    [Fact]
    public async Task A_replay_of_a_kid_only_mint_answers_the_first_stored_key_even_after_it_changed()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        byte[] first = [.. Enumerable.Repeat((byte)0xa1, 16)], later = [.. Enumerable.Repeat((byte)0xb2, 16)];
        await customer.Grain.PutKey(Mints.Kid, first);
        var request = Mints.Request(customer.Authenticator, fromStorage: true) with
        {
            Idempotency = new MintIdempotency("kid-only", Fingerprint, RecordKey, "token-kid-only", cluster.Clock.GetUtcNow()),
        };

        var answer = await customer.Grain.Mint(request, default);
        await customer.Grain.PutKey(Mints.Kid, later);
        var replay = await customer.Grain.Mint(request, default);

        Assert.Equal((ErrorCode.None, false), (answer.Code, answer.Replayed));
        Assert.Equal(first, answer.ContentKey);
        Assert.Equal((ErrorCode.None, true, "token-kid-only"), (replay.Code, replay.Replayed, replay.TokenId));
        Assert.Equal(first, replay.ContentKey);
        Assert.Equal(9, (await customer.Grain.Show()).ProductionBalance);
    }

    /// <summary>
    /// A record wraps only the keys key storage gave (section 11 asks for the first answer again; a key the request
    /// gives is given again by its retry): none for a request that gives its key, 16 bytes and the 8 of the RFC 3394
    /// integrity check for one kid-only key.
    /// </summary>
    [Fact]
    public async Task A_record_wraps_only_the_keys_that_key_storage_gave()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        await customer.Grain.PutKey(Mints.Kid, Mints.ContentKey);
        var given = Keyed(customer, "given", "token-given");
        var kidOnly = Mints.Request(customer.Authenticator, fromStorage: true) with
        {
            Idempotency = new MintIdempotency("kid-only", Fingerprint, RecordKey, "token-kid-only", cluster.Clock.GetUtcNow()),
        };

        Assert.Equal(ErrorCode.None, (await customer.Grain.Mint(given, default)).Code);
        Assert.Equal(ErrorCode.None, (await customer.Grain.Mint(kidOnly, default)).Code);

        var rows = cluster.Silo.GetRequiredKeyedService<IGrainRows>(StorageNames.Customers);
        var givenRecord = IdempotencyRecord.FromRow(await rows.Find(customer.Grain.GetGrainId(), IdempotencyRecord.Kind, "given"))!;
        var kidOnlyRecord = IdempotencyRecord.FromRow(await rows.Find(customer.Grain.GetGrainId(), IdempotencyRecord.Kind, "kid-only"))!;
        Assert.Empty(givenRecord.WrappedContentKey);
        Assert.Equal(Mints.ContentKey, KeyWrap.Unwrap(RecordKey, kidOnlyRecord.WrappedContentKey));
    }

    private MintRequest Keyed(TestCustomer customer, string key, string tokenId) =>
        Mints.Request(customer.Authenticator) with
        {
            Idempotency = new MintIdempotency(key, Fingerprint, RecordKey, tokenId, cluster.Clock.GetUtcNow()),
        };
}
