using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>One row of a parameter table: checks the request and records what it parsed.</summary>
internal abstract record Rule
{
    public abstract TokenError? Check(RequestParameters request, ParsedValues parsed);
}

/// <summary>
/// A parameter that may appear once. Presence comes first (required, forbidden, allowed only when), then the
/// form of the value; a repeated parameter is a value of the wrong form and gets <see cref="Repeated"/>.
/// </summary>
internal sealed record Field(string Name, ValueParser Parse, ErrorCode Repeated) : Rule
{
    public ErrorCode Missing { get; init; }
    public Func<ParsedValues, bool> RequiredWhen { get; init; } = _ => false;
    public Func<ParsedValues, bool> AllowedWhen { get; init; } = _ => true;
    public ErrorCode NotAllowed { get; init; }

    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var values = request.All(Name);
        if (values.Count == 0)
            return Missing != ErrorCode.None && RequiredWhen(parsed) ? new TokenError(Missing, Name) : null;
        if (!AllowedWhen(parsed)) return new TokenError(NotAllowed, Name);
        if (values.Count > 1) return new TokenError(Repeated, Name);
        var result = Parse(values[0], parsed);
        if (result.Error != ErrorCode.None) return new TokenError(result.Error, result.Details ?? Name);
        parsed.Set(Name, result.Value!);
        return null;
    }
}

/// <summary>A parameter that may appear up to <see cref="Max"/> times; records the list of parsed values.</summary>
internal sealed record RepeatableField(string Name, int Max, ErrorCode TooMany, ValueParser Parse) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var values = request.All(Name);
        if (values.Count > Max) return new TokenError(TooMany, Name);
        var list = new List<object>(values.Count);
        foreach (var value in values)
        {
            var result = Parse(value, parsed);
            if (result.Error != ErrorCode.None) return new TokenError(result.Error, result.Details ?? Name);
            list.Add(result.Value!);
        }
        parsed.Set(Name, list);
        return null;
    }
}

/// <summary>Two parameters that must not both be given.</summary>
internal sealed record Exclusive(string First, string Second, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(First) && request.Has(Second) ? new TokenError(Code) : null;
}

/// <summary>Two parameters that are given together or not at all.</summary>
internal sealed record Together(string First, string Second, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(First) != request.Has(Second) ? new TokenError(Code) : null;
}

/// <summary>A parameter that needs one of <paramref name="Others"/> beside it.</summary>
internal sealed record Requires(string Name, string[] Others, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(Name) && !Others.Any(request.Has) ? new TokenError(Code) : null;
}

/// <summary>At least one of <paramref name="Names"/>; none is <paramref name="Missing"/> with <paramref name="Details"/>.</summary>
internal sealed record AnyOf(string[] Names, ErrorCode Missing, string Details) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        Names.Any(request.Has) ? null : new TokenError(Missing, Details);
}

/// <summary>A condition on values parsed before it.</summary>
internal sealed record Condition(Func<ParsedValues, bool> Holds, ErrorCode Code, string? Details = null) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        Holds(parsed) ? null : new TokenError(Code, Details);
}

/// <summary>Shorthands that make the parameter tables read like the contract's.</summary>
internal static class Param
{
    public static Field Required(string name, ErrorCode missing, ValueParser parse, ErrorCode repeated) =>
        new(name, parse, repeated) { Missing = missing, RequiredWhen = _ => true };

    public static Field Optional(string name, ValueParser parse, ErrorCode repeated) => new(name, parse, repeated);

    public static Field Forbidden(string name, ErrorCode code) =>
        new(name, (_, _) => Parsed.Fail(code), code) { AllowedWhen = _ => false, NotAllowed = code };
}
