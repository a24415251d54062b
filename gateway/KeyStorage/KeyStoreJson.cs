using System.Globalization;
using System.Text.Json;

namespace Orleans.Tokens.Gateway.KeyStorage;

/// <summary>What a request's body gives: the key object's fields, its KID, and an <c>ek</c> still wrapped.</summary>
internal sealed record KeyBody(byte[]? Kid, KeyFields Fields, byte[]? WrappedKey, string? KekId);

/// <summary>
/// SKM's JSON key object (contract section 12): <c>kid</c>, <c>k</c>, <c>ek</c>, <c>kekId</c>, <c>info</c>,
/// <c>contentId</c>, <c>expiration</c>, <c>lastUpdate</c> (RFC 3339), lower-case hex; a field without a value is left
/// out. Read leniently (fields it does not know, and <c>lastUpdate</c>, are ignored), answered exactly.
/// </summary>
internal static class KeyStoreJson
{
    /// <summary>The most characters of <c>info</c>, <c>contentId</c> and <c>kekId</c> (the specifications set none).</summary>
    public const int MaxTextLength = 1024;

    private const string JsonType = "application/json; charset=utf-8";

    /// <summary>A KID as section 4 reads it (32 hex digits, or <c>^name</c>), else 400.</summary>
    public static byte[] Kid(string text) =>
        Tokens.Kid.TryParse(text, out var kid) == ErrorCode.None ? kid : throw KeyStoreRefusal.BadRequest("Invalid KID");

    /// <summary>The request's body as a key object: empty is <c>{}</c>; anything but a key object is 400.</summary>
    public static async Task<KeyBody> ReadBody(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text)) return new KeyBody(null, new KeyFields(), null, null);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            throw KeyStoreRefusal.BadRequest("Invalid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw KeyStoreRefusal.BadRequest("Invalid key object");
            var kid = Text(root, "kid", 65) is { } kidText ? Kid(kidText) : null;
            var contentKey = Text(root, "k", 32) is { } k
                ? k.Length == 32 && Hex.IsHex(k) ? Convert.FromHexString(k) : throw KeyStoreRefusal.BadRequest("Invalid key value")
                : null;
            var wrapped = Text(root, "ek", 128) is { } ek
                ? ek.Length >= 48 && ek.Length % 16 == 0 && Hex.IsHex(ek) ? Convert.FromHexString(ek) : throw KeyStoreRefusal.BadRequest("Invalid key value")
                : null;
            if (contentKey is not null && wrapped is not null) throw KeyStoreRefusal.BadRequest("Invalid key object: k or ek, not both");
            var expiration = Text(root, "expiration", 64) is { } at
                ? DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    ? parsed.ToUniversalTime()
                    : throw KeyStoreRefusal.BadRequest("Invalid expiration")
                : (DateTimeOffset?)null;
            var fields = new KeyFields(contentKey, null, null, Text(root, "info", MaxTextLength), Text(root, "contentId", MaxTextLength), expiration);
            return new KeyBody(kid, fields, wrapped, Text(root, "kekId", MaxTextLength));
        }
    }

    /// <summary>A string field of at most <paramref name="maxLength"/> characters, or null when absent or null; else 400.</summary>
    private static string? Text(JsonElement root, string name, int maxLength)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw KeyStoreRefusal.BadRequest($"Invalid key object: {name} is not a string");
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // JSON allows an escaped lone surrogate, which is no text.
            throw KeyStoreRefusal.BadRequest($"Invalid key object: {name} is not valid text");
        }
        return text.Length <= maxLength ? text : throw KeyStoreRefusal.BadRequest($"Invalid key object: {name} is too long");
    }

    /// <summary>
    /// One key object: the clear key as <c>k</c>; with a request <paramref name="kek"/>, the key wrapped under it as
    /// <c>ek</c> with its <c>kekId</c> instead; a key held only wrapped under the customer's KEK as that <c>ek</c> and
    /// <c>kekId</c> (unwrapped with the request's KEK when given: 400 when it does not unwrap).
    /// </summary>
    public static byte[] Object(KeyObject key, byte[]? kek) => Json(writer => WriteObject(writer, key, kek));

    /// <summary>An array of key objects (SKM's list).</summary>
    public static byte[] Array(IEnumerable<KeyObject> keys, byte[]? kek) => Json(writer =>
    {
        writer.WriteStartArray();
        foreach (var key in keys) WriteObject(writer, key, kek);
        writer.WriteEndArray();
    });

    /// <summary>SKM's value: the key as 32 hex digits, or <c>#</c> and the <c>ek</c> of a key held only wrapped.</summary>
    public static string Value(KeyObject key, byte[]? kek) =>
        Clear(key, kek) is { } clear ? Convert.ToHexStringLower(clear) : "#" + Convert.ToHexStringLower(key.WrappedKey!);

    /// <summary>A text/plain answer, the text alone with no line terminator (SKM's value and key count).</summary>
    public static async Task Plain(HttpResponse response, string text)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        await response.WriteAsync(text);
    }

    public static Task Error(HttpResponse response, int status, string message) =>
        Write(response, status, Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }));

    public static async Task Write(HttpResponse response, int status, byte[] json)
    {
        response.StatusCode = status;
        response.ContentType = JsonType;
        response.Headers.XContentTypeOptions = "nosniff";
        await response.Body.WriteAsync(json);
    }

    /// <summary>The clear key: stored so, or unwrapped with <paramref name="kek"/>; null for a wrapped key without it.</summary>
    private static byte[]? Clear(KeyObject key, byte[]? kek) =>
        key.ContentKey ?? (kek is null ? null : KeyWrap.Unwrap(kek, key.WrappedKey!) ?? throw KeyStoreRefusal.WrongKek);

    private static void WriteObject(Utf8JsonWriter writer, KeyObject key, byte[]? kek)
    {
        writer.WriteStartObject();
        writer.WriteString("kid", Tokens.Kid.ToHex(key.Kid));
        var clear = Clear(key, kek);
        if (kek is not null)
        {
            writer.WriteString("ek", Convert.ToHexStringLower(KeyWrap.Wrap(kek, clear!)));
            writer.WriteString("kekId", KeyEncryptionKey.Id(kek));
        }
        else if (clear is not null)
        {
            writer.WriteString("k", Convert.ToHexStringLower(clear));
        }
        else
        {
            writer.WriteString("ek", Convert.ToHexStringLower(key.WrappedKey!));
            writer.WriteString("kekId", key.KekId);
        }
        if (key.Info is { } info) writer.WriteString("info", info);
        if (key.ContentId is { } contentId) writer.WriteString("contentId", contentId);
        if (key.Expiration is { } expiration) writer.WriteString("expiration", Rfc3339(expiration));
        writer.WriteString("lastUpdate", Rfc3339(key.LastUpdate));
        writer.WriteEndObject();
    }

    private static string Rfc3339(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) write(writer);
        return stream.ToArray();
    }
}
