using System.Security.Cryptography;
using Orleans.Tokens.Tests.GrainCluster;

namespace Orleans.Tokens.Tests.Idempotency;

/// <summary>
/// The content keys a record gives a replay (contract section 11: the first answer again): a token of three keys,
/// the first and last from key storage and the middle one given by the request, answered in the token's order with
/// null where the request gives the key. Records of both forms are read: those written since 2026-11-30 wrap only
/// the keys key storage gave, earlier ones wrap every key.
/// </summary>
public sealed class IdempotencyRecordTests
{
    private const string Authenticator = "1000,00112233445566778899aabbccddeeff";
    private static readonly byte[] RecordKey = SHA256.HashData("record key"u8);
    private static readonly byte[] First = [.. Enumerable.Repeat((byte)0xa1, 16)];
    private static readonly byte[] Given = [.. Enumerable.Repeat((byte)0xb2, 16)];
    private static readonly byte[] Last = [.. Enumerable.Repeat((byte)0xc3, 16)];

    private static readonly MintRequest Request = Mints.Request(Authenticator, fromStorage: true) with
    {
        MoreKeys = [new MintKey(Convert.FromHexString("22222222222222222222222222222222"), Given),
            new MintKey(Convert.FromHexString("33333333333333333333333333333333"), null)],
    };

    [Fact]
    public void A_record_wraps_the_keys_from_key_storage_and_gives_them_back_in_the_tokens_order()
    {
        var result = new MintResult(ErrorCode.None, First, MoreContentKeys: [null, Last]);

        var wrapped = IdempotencyRecord.WrapStoredKeys(RecordKey, result, Request);

        Assert.Equal([.. First, .. Last], KeyWrap.Unwrap(RecordKey, wrapped)!);
        Assert.Equal([First, null, Last], Record(wrapped).StoredKeys(RecordKey, Request));
    }

    [Fact]
    public void A_record_of_the_earlier_form_with_every_key_wrapped_gives_the_same_keys()
    {
        var everyKey = KeyWrap.Wrap(RecordKey, [.. First, .. Given, .. Last]);

        Assert.Equal([First, null, Last], Record(everyKey).StoredKeys(RecordKey, Request));
    }

    [Fact]
    public void Keys_that_do_not_unwrap_under_the_requests_record_key_give_nothing()
    {
        var wrapped = KeyWrap.Wrap(RecordKey, [.. First, .. Last]);

        Assert.Null(Record(wrapped).StoredKeys(SHA256.HashData("another request"u8), Request));
    }

    [Fact]
    public void A_request_that_gives_every_key_records_nothing_wrapped()
    {
        var given = Mints.Request(Authenticator);

        Assert.Empty(IdempotencyRecord.WrapStoredKeys(RecordKey, new MintResult(ErrorCode.None, null), given));
        Assert.Equal([null], Record([]).StoredKeys([], given));
    }

    /// <summary>A record's row form gives the record back, and a row of the earlier form (the record itself) reads too.</summary>
    [Fact]
    public void A_record_reads_back_from_its_row_and_from_a_row_of_the_earlier_form()
    {
        var record = new IdempotencyRecord(SHA256.HashData("fingerprint"u8), "token-é1",
            new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 12, 0, 1, TimeSpan.Zero),
            KeyWrap.Wrap(RecordKey, First));

        var read = IdempotencyRecord.FromRow(record.ToRow())!;

        Assert.Equal((record.TokenId, record.IssuedAt, record.RecordedAt), (read.TokenId, read.IssuedAt, read.RecordedAt));
        Assert.Equal(record.Fingerprint, read.Fingerprint);
        Assert.Equal(record.WrappedContentKey, read.WrappedContentKey);
        Assert.Same(record, IdempotencyRecord.FromRow(record));
        Assert.Null(IdempotencyRecord.FromRow(record.ToRow()[..20]));
    }

    private static IdempotencyRecord Record(byte[] wrapped) =>
        new(SHA256.HashData("fingerprint"u8), "token", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, wrapped);
}
