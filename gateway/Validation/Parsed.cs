using Orleans.Tokens.Gateway.Errors;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>What one value parsed to: the value, or the refusal.</summary>
internal readonly record struct Parsed(object? Value, ErrorCode Error, string? Details = null)
{
    public static Parsed Ok(object value) => new(value, ErrorCode.None);

    public static Parsed Fail(ErrorCode code, string? details = null) => new(null, code, details);
}

/// <summary>Parses one value of a parameter; may read the values parsed before it.</summary>
internal delegate Parsed ValueParser(string value, ParsedValues parsed);
