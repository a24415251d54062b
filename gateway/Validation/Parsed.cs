using Orleans.Tokens.Gateway.Errors;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>What one value parsed to: the value, or the refusal (<see cref="Error"/> not <see cref="ErrorCode.None"/>).</summary>
internal readonly record struct Parsed<T>(T Value, ErrorCode Error, string? Details = null)
{
    public static implicit operator Parsed<T>(ParseFailure failure) => new(default!, failure.Error, failure.Details);
}

/// <summary>A refusal of a value, of whatever type it would have parsed to.</summary>
internal readonly record struct ParseFailure(ErrorCode Error, string? Details);

/// <summary>The two outcomes of parsing a value.</summary>
internal static class Parsed
{
    public static Parsed<T> Ok<T>(T value) => new(value, ErrorCode.None);

    public static ParseFailure Fail(ErrorCode code, string? details = null) => new(code, details);
}

/// <summary>Parses one value of a parameter; may read the values parsed before it.</summary>
internal delegate Parsed<T> ValueParser<T>(string value, ParsedValues parsed);
