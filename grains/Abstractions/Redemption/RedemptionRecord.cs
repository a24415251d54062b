using System.Globalization;
using System.Text.Json;

namespace Orleans.Tokens;

/// <summary>
/// One redemption, as kept for the token's customer for <c>Redemption:RecordDays</c> (contract section 8): when,
/// which token (id, DRM name, first KID as 32 lower-case hex digits, cookie), the issuer's outcome
/// (<see cref="RedemptionOutcomes"/>) and the client's address.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.RedemptionRecord")]
public sealed record RedemptionRecord(
    [property: Id(0)] DateTimeOffset Time,
    [property: Id(1)] string TokenId,
    [property: Id(2)] string Drm,
    [property: Id(3)] string Kid,
    [property: Id(4)] string? Cookie,
    [property: Id(5)] string Outcome,
    [property: Id(6)] string? Address)
{
    /// <summary>The <see cref="GrainRow.Kind"/> of redemption records.</summary>
    public const string Kind = "redemption";

    /// <summary>
    /// Section 8's answer, <c>{"records":[{"time","tokenId","drm","kid","cookie","outcome","address"}, …]}</c> in the
    /// order given, times in RFC 3339 (UTC, milliseconds), as UTF-8 JSON: the same for the API and the admin tool.
    /// </summary>
    public static byte[] ListJson(IEnumerable<RedemptionRecord> records)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("records");
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteString("time", record.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                writer.WriteString("tokenId", record.TokenId);
                writer.WriteString("drm", record.Drm);
                writer.WriteString("kid", record.Kid);
                writer.WriteString("cookie", record.Cookie);
                writer.WriteString("outcome", record.Outcome);
                writer.WriteString("address", record.Address);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}

/// <summary>The outcomes a <see cref="RedemptionRecord"/> holds.</summary>
public static class RedemptionOutcomes
{
    /// <summary>The issuer answered a license (a 2xx).</summary>
    public const string Issued = "issued";
    /// <summary>The issuer refused the challenge (a 4xx, or a challenge it could not parse).</summary>
    public const string Refused = "refused";
    /// <summary>The issuer failed (a 5xx, an error, no answer in time).</summary>
    public const string Failed = "failed";
}

/// <summary>
/// Which records to answer (section 8), newest first: those of <see cref="Cookie"/>, or of <see cref="TokenId"/>
/// (the newest <see cref="MaxMatching"/> at most), or else <see cref="Length"/> (1–200) from the
/// <see cref="Start"/>th newest (0 the newest).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.RecordsQuery")]
public sealed record RecordsQuery(
    [property: Id(0)] string? Cookie,
    [property: Id(1)] string? TokenId,
    [property: Id(2)] int Start,
    [property: Id(3)] int Length)
{
    /// <summary>The most records one query answers.</summary>
    public const int MaxLength = 200;

    /// <summary>How many records a query without a length answers: the newest 32.</summary>
    public const int DefaultLength = 32;

    /// <summary>
    /// The most records a query by cookie or token id answers, newest first: the contract pages only the query by
    /// position, and a cookie or a token has its redemptions of the retention window, few in practice; this bounds
    /// one answer all the same.
    /// </summary>
    public const int MaxMatching = 10_000;
}

/// <summary>A records query's answer: <see cref="Authorized"/> false when the authenticator is not the customer's.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.RecordsResult")]
public sealed record RecordsResult(
    [property: Id(0)] bool Authorized,
    [property: Id(1)] ImmutableArray<RedemptionRecord> Records);
