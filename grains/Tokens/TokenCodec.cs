using System.Formats.Cbor;

namespace Orleans.Tokens;

/// <summary>
/// The sealed form of a <see cref="TokenPayload"/>: a CBOR map (RFC 8949) with small integer keys, keys and ids
/// as raw bytes, times as Unix milliseconds and base64 payloads decoded. Compact enough that the longest request
/// the contract allows still gives a token within 2,048 characters, and with nothing to escape. A token whose one
/// key has no policy of its own (a plain request) keeps it in <c>Kid</c>/<c>ContentKey</c>, as tokens did before
/// section 14; any other has <c>Keys</c> instead, an array of per-key arrays.
/// </summary>
public static partial class TokenCodec
{
    // Top-level keys.
    private const int TokenId = 1, CustomerId = 2, Environment = 3, Drm = 4, IssuedAt = 5, ExpiresAt = 6,
        Cookie = 7, ContentId = 8, Kid = 9, ContentKey = 10, Widevine = 11, PlayReady = 12, Keys = 13, FairPlay = 14,
        SingleUse = 15, AuthenticatorTag = 16;

    // FairPlay policy keys.
    private const int Iv = 1, FpGeneralFlags = 2, RentalDuration = 3, FpExtensions = 4;

    // The positions in a per-key array: [kid, content key, security level, HDCP, track type, min. cert. security
    // level], null for a value the key does not have and trailing nulls left out (an array, not a map: 16 keys with
    // every field still fit a token of 2,048 characters).
    private const int KeyKid = 0, KeyContentKey = 1, KeySecurityLevel = 2, KeyHdcpOutputControl = 3, KeyTrackType = 4,
        KeyMinCertSecurityLevel = 5;

    /// <summary>What a CBOR null reads as inside an array.</summary>
    private static readonly object Null = new();

    // Widevine policy keys.
    private const int SecurityLevel = 1, HdcpOutputControl = 2, LicenseDuration = 3, WvGeneralFlags = 4, Extensions = 5;

    // PlayReady policy keys.
    private const int RightsType = 1, RentalPeriodEndTime = 2, RentalPlayDuration = 3, PrGeneralFlags = 4,
        AnalogVideoOpl = 5, CompressedDigitalAudioOpl = 6, CompressedDigitalVideoOpl = 7,
        UncompressedDigitalAudioOpl = 8, UncompressedDigitalVideoOpl = 9, UnknownOutputBehavior = 10,
        OutputControlFlags = 11, ExtensionType = 12, ExtensionPayload = 13, DeviceId = 14, AlgId = 15,
        MinCertSecurityLevel = 16;

    /// <summary>The payload's CBOR bytes.</summary>
    public static byte[] Encode(TokenPayload payload)
    {
        var writer = NewWriter();
        Write(writer, payload);
        return writer.Encode();
    }

    /// <summary>
    /// A writer for <see cref="Write"/>: lax, as this codec alone decides what goes in (the reader stays strict).
    /// </summary>
    public static CborWriter NewWriter() => new(CborConformanceMode.Lax);

    /// <summary>Writes the payload's CBOR map to <paramref name="writer"/> (new or reset; <see cref="NewWriter"/>).</summary>
    public static void Write(CborWriter writer, TokenPayload payload)
    {
        writer.WriteStartMap(null);
        Bytes(writer, TokenId, Convert.FromHexString(payload.TokenId));
        Integer(writer, CustomerId, payload.CustomerId);
        Text(writer, Environment, payload.Environment);
        Text(writer, Drm, payload.Drm);
        Integer(writer, IssuedAt, payload.IssuedAt.ToUnixTimeMilliseconds());
        Integer(writer, ExpiresAt, payload.ExpiresAt.ToUnixTimeMilliseconds());
        Text(writer, Cookie, payload.Cookie);
        Text(writer, ContentId, payload.ContentId);
        // Absent when false, as in tokens sealed before single-use tokens.
        Integer(writer, SingleUse, payload.SingleUse ? 1 : null);
        Bytes(writer, AuthenticatorTag, payload.AuthenticatorTag is { } tag ? Convert.FromHexString(tag) : null);
        if (payload.Keys is [var only] && only == OnlyKey(payload))
        {
            Bytes(writer, Kid, payload.Kid);
            Bytes(writer, ContentKey, payload.ContentKey);
        }
        else
        {
            writer.WriteInt32(Keys);
            writer.WriteStartArray(payload.Keys.Length);
            foreach (var key in payload.Keys)
            {
                int?[] policy = [key.SecurityLevel, key.HdcpOutputControl, key.TrackType, key.MinCertSecurityLevel];
                var length = policy.Length;
                while (length > 0 && policy[length - 1] is null) length--;
                writer.WriteStartArray(2 + length);
                writer.WriteByteString(key.Kid);
                writer.WriteByteString(key.ContentKey);
                foreach (var value in policy[..length])
                {
                    if (value is { } number) writer.WriteInt32(number);
                    else writer.WriteNull();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        if (payload.Widevine is { } widevine)
        {
            writer.WriteInt32(Widevine);
            writer.WriteStartMap(null);
            Integer(writer, SecurityLevel, widevine.SecurityLevel);
            Integer(writer, HdcpOutputControl, widevine.HdcpOutputControl);
            Integer(writer, LicenseDuration, widevine.LicenseDuration);
            Integer(writer, WvGeneralFlags, widevine.GeneralFlags);
            WriteExtensions(writer, Extensions, widevine.Extensions);
            writer.WriteEndMap();
        }
        if (payload.FairPlay is { } fairPlay)
        {
            writer.WriteInt32(FairPlay);
            writer.WriteStartMap(null);
            Bytes(writer, Iv, fairPlay.Iv);
            Integer(writer, FpGeneralFlags, fairPlay.GeneralFlags);
            Integer(writer, RentalDuration, fairPlay.RentalDuration);
            WriteExtensions(writer, FpExtensions, fairPlay.Extensions);
            writer.WriteEndMap();
        }
        if (payload.PlayReady is { } playReady)
        {
            writer.WriteInt32(PlayReady);
            writer.WriteStartMap(null);
            Text(writer, RightsType, playReady.RightsType);
            Integer(writer, RentalPeriodEndTime, playReady.RentalPeriodEndTime?.ToUnixTimeMilliseconds());
            Integer(writer, RentalPlayDuration, playReady.RentalPlayDuration);
            Integer(writer, PrGeneralFlags, playReady.GeneralFlags);
            Integer(writer, AnalogVideoOpl, playReady.AnalogVideoOpl);
            Integer(writer, CompressedDigitalAudioOpl, playReady.CompressedDigitalAudioOpl);
            Integer(writer, CompressedDigitalVideoOpl, playReady.CompressedDigitalVideoOpl);
            Integer(writer, UncompressedDigitalAudioOpl, playReady.UncompressedDigitalAudioOpl);
            Integer(writer, UncompressedDigitalVideoOpl, playReady.UncompressedDigitalVideoOpl);
            Text(writer, UnknownOutputBehavior, playReady.UnknownOutputBehavior);
            Bytes(writer, OutputControlFlags, playReady.OutputControlFlags is { } flags ? Convert.FromHexString(flags) : null);
            Text(writer, ExtensionType, playReady.ExtensionType);
            Bytes(writer, ExtensionPayload, playReady.ExtensionPayload is { } extension ? Convert.FromBase64String(extension) : null);
            Bytes(writer, DeviceId, playReady.DeviceId is { } deviceId ? Convert.FromHexString(deviceId) : null);
            // Absent for the default, as in tokens sealed before algId.
            Text(writer, AlgId, playReady.AlgId == "aesctr" ? null : playReady.AlgId);
            Integer(writer, MinCertSecurityLevel, playReady.MinCertSecurityLevel);
            writer.WriteEndMap();
        }
        writer.WriteEndMap();
    }

    private static void WriteExtensions(CborWriter writer, int key, ImmutableArray<WvExtension> extensions)
    {
        writer.WriteInt32(key);
        writer.WriteStartArray(extensions.Length);
        foreach (var extension in extensions)
        {
            writer.WriteStartArray(2);
            writer.WriteTextString(extension.Type);
            writer.WriteByteString(Convert.FromBase64String(extension.Payload));
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    /// <summary>The one key of a plain request: the payload's KID and content key under the DRM's policy.</summary>
    public static TokenKey OnlyKey(TokenPayload payload) => new()
    {
        Kid = payload.Kid,
        ContentKey = payload.ContentKey,
        SecurityLevel = payload.Widevine?.SecurityLevel,
        HdcpOutputControl = payload.Widevine?.HdcpOutputControl,
        MinCertSecurityLevel = payload.PlayReady?.MinCertSecurityLevel,
    };

    private static void Integer(CborWriter writer, int key, long? value)
    {
        if (value is null) return;
        writer.WriteInt32(key);
        writer.WriteInt64(value.Value);
    }

    private static void Text(CborWriter writer, int key, string? value)
    {
        if (value is null) return;
        writer.WriteInt32(key);
        writer.WriteTextString(value);
    }

    private static void Bytes(CborWriter writer, int key, byte[]? value)
    {
        if (value is null) return;
        writer.WriteInt32(key);
        writer.WriteByteString(value);
    }
}
