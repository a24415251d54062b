using System.Formats.Cbor;

namespace Orleans.Tokens;

/// <summary>Reading a token's payload back (<see cref="TokenCodec"/>): strict CBOR, and only the map its writer makes.</summary>
public static partial class TokenCodec
{
    /// <summary>The payload, or null when the bytes are not a payload this codec wrote.</summary>
    public static TokenPayload? Decode(byte[] encoded)
    {
        try
        {
            var reader = new CborReader(encoded, CborConformanceMode.Strict);
            var fields = ReadMap(reader);
            if (reader.BytesRemaining != 0) return null;
            var keys = fields.GetValueOrDefault(Keys) is List<object> list
                ? list.Select(entry => DecodeKey((List<object>)entry)).ToImmutableArray()
                : [];
            var payload = new TokenPayload
            {
                TokenId = Convert.ToHexStringLower((byte[])fields[TokenId]),
                CustomerId = (long)fields[CustomerId],
                Environment = (string)fields[Environment],
                Drm = (string)fields[Drm],
                IssuedAt = Time(fields[IssuedAt]),
                ExpiresAt = Time(fields[ExpiresAt]),
                Cookie = fields.GetValueOrDefault(Cookie) as string,
                ContentId = fields.GetValueOrDefault(ContentId) as string,
                SingleUse = fields.GetValueOrDefault(SingleUse) is 1L,
                AuthenticatorTag = fields.GetValueOrDefault(AuthenticatorTag) is byte[] tag ? Convert.ToHexStringLower(tag) : null,
                Kid = keys.IsEmpty ? (byte[])fields[Kid] : keys[0].Kid,
                ContentKey = keys.IsEmpty ? (byte[])fields[ContentKey] : keys[0].ContentKey,
                Keys = keys,
                Widevine = fields.GetValueOrDefault(Widevine) is Dictionary<int, object> widevine ? DecodeWidevine(widevine) : null,
                PlayReady = fields.GetValueOrDefault(PlayReady) is Dictionary<int, object> playReady ? DecodePlayReady(playReady) : null,
                FairPlay = fields.GetValueOrDefault(FairPlay) is Dictionary<int, object> fairPlay ? DecodeFairPlay(fairPlay) : null,
            };
            // Keys stands in for Kid and ContentKey, never beside them, and is never empty.
            if (fields.ContainsKey(Keys) && (keys.IsEmpty || fields.ContainsKey(Kid) || fields.ContainsKey(ContentKey))) return null;
            return payload;
        }
        catch (Exception failure) when (failure is CborContentException or InvalidOperationException or InvalidCastException
                                            or KeyNotFoundException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static ImmutableArray<WvExtension> ReadExtensions(object extensions) =>
        [.. ((List<object>)extensions).Cast<List<object>>().Select(pair => new WvExtension((string)pair[0], Convert.ToBase64String((byte[])pair[1])))];

    private static FairPlayPolicy DecodeFairPlay(Dictionary<int, object> fields) => new()
    {
        Iv = (byte[])fields[Iv],
        GeneralFlags = (uint)(long)fields[FpGeneralFlags],
        RentalDuration = (long)fields[RentalDuration],
        Extensions = ReadExtensions(fields[FpExtensions]),
    };

    private static TokenKey DecodeKey(List<object> entry)
    {
        int? At(int position) => position < entry.Count && entry[position] is long value ? (int)value : null;
        return new TokenKey
        {
            Kid = (byte[])entry[KeyKid],
            ContentKey = (byte[])entry[KeyContentKey],
            SecurityLevel = At(KeySecurityLevel),
            HdcpOutputControl = At(KeyHdcpOutputControl),
            TrackType = At(KeyTrackType),
            MinCertSecurityLevel = At(KeyMinCertSecurityLevel),
        };
    }

    private static WidevinePolicy DecodeWidevine(Dictionary<int, object> fields) => new()
    {
        SecurityLevel = (int)(long)fields[SecurityLevel],
        HdcpOutputControl = (int)(long)fields[HdcpOutputControl],
        LicenseDuration = fields.GetValueOrDefault(LicenseDuration) as long?,
        GeneralFlags = (uint)(long)fields[WvGeneralFlags],
        Extensions = ReadExtensions(fields[Extensions]),
    };

    private static PlayReadyPolicy DecodePlayReady(Dictionary<int, object> fields) => new()
    {
        RightsType = (string)fields[RightsType],
        RentalPeriodEndTime = fields.TryGetValue(RentalPeriodEndTime, out var end) ? Time(end) : null,
        RentalPlayDuration = fields.GetValueOrDefault(RentalPlayDuration) as long?,
        GeneralFlags = (uint)(long)fields[PrGeneralFlags],
        AnalogVideoOpl = (int)(long)fields[AnalogVideoOpl],
        CompressedDigitalAudioOpl = (int)(long)fields[CompressedDigitalAudioOpl],
        CompressedDigitalVideoOpl = (int)(long)fields[CompressedDigitalVideoOpl],
        UncompressedDigitalAudioOpl = (int)(long)fields[UncompressedDigitalAudioOpl],
        UncompressedDigitalVideoOpl = (int)(long)fields[UncompressedDigitalVideoOpl],
        UnknownOutputBehavior = (string)fields[UnknownOutputBehavior],
        OutputControlFlags = fields.GetValueOrDefault(OutputControlFlags) is byte[] flags ? Convert.ToHexStringLower(flags) : null,
        ExtensionType = fields.GetValueOrDefault(ExtensionType) as string,
        ExtensionPayload = fields.GetValueOrDefault(ExtensionPayload) is byte[] extension ? Convert.ToBase64String(extension) : null,
        DeviceId = fields.GetValueOrDefault(DeviceId) is byte[] deviceId ? Convert.ToHexStringLower(deviceId) : null,
        AlgId = fields.GetValueOrDefault(AlgId) as string ?? "aesctr",
        MinCertSecurityLevel = (int?)(fields.GetValueOrDefault(MinCertSecurityLevel) as long?),
    };

    private static DateTimeOffset Time(object milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);

    /// <summary>A map of integer keys to integers (long), text, bytes, arrays (List) and maps.</summary>
    private static Dictionary<int, object> ReadMap(CborReader reader)
    {
        var fields = new Dictionary<int, object>();
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
            fields.Add(reader.ReadInt32(), ReadValue(reader));
        reader.ReadEndMap();
        return fields;
    }

    private static object ReadValue(CborReader reader)
    {
        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return reader.ReadInt64();
            case CborReaderState.TextString:
                return reader.ReadTextString();
            case CborReaderState.ByteString:
                return reader.ReadByteString();
            case CborReaderState.StartMap:
                return ReadMap(reader);
            case CborReaderState.Null:
                reader.ReadNull();
                return Null;
            case CborReaderState.StartArray:
                var items = new List<object>();
                reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray) items.Add(ReadValue(reader));
                reader.ReadEndArray();
                return items;
            default:
                throw new CborContentException("unexpected CBOR item");
        }
    }
}
