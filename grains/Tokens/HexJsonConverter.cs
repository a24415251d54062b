using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.Tokens;

/// <summary>
/// Bytes as a JSON string of lower-case hex digits, the way KIDs, content keys and IVs are written in the contract
/// (sections 4, 13): the JSON view of a byte-typed <see cref="TokenPayload"/>. Reading takes either case; anything
/// else is a <see cref="JsonException"/>.
/// </summary>
public sealed class HexJsonConverter : JsonConverter<byte[]>
{
    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is not null && (text.Length == 0 || Hex.IsHex(text)) && text.Length % 2 == 0
            ? Convert.FromHexString(text)
            : throw new JsonException("not a string of hex digits");
    }

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Convert.ToHexStringLower(value));
}
