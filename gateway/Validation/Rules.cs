using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>One row of a parameter table: checks the request and records what it parsed.</summary>
internal abstract record Rule
{
    public abstract TokenError? Check(RequestParameters request, ParsedValues parsed);
}

/// <summary>
/// A parameter that may appear once. Presence comes first (required, allowed only when), then the form of the
/// value; a repeated parameter is a value of the wrong form and gets <see cref="Repeated"/>.
/// </summary>
internal sealed record Field<T>(Parameter<T> Parameter, ValueParser<T> Parse, ErrorCode Repeated) : Rule
{
    public ErrorCode Missing { get; init; }
    public Func<ParsedValues, bool> RequiredWhen { get; init; } = _ => false;
    public Func<ParsedValues, bool> AllowedWhen { get; init; } = _ => true;
    public ErrorCode NotAllowed { get; init; }

    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var name = Parameter.Name;
        var values = request.All(name);
        if (values.Length == 0)
            return Missing != ErrorCode.None && RequiredWhen(parsed) ? new TokenError(Missing, name) : null;
        if (!AllowedWhen(parsed)) return new TokenError(NotAllowed, name);
        if (values.Length > 1) return new TokenError(Repeated, name);
        var result = Parse(values[0], parsed);
        if (result.Error != ErrorCode.None) return new TokenError(result.Error, result.Details ?? name);
        parsed.Set(Parameter, result.Value);
        return null;
    }
}

/// <summary>A parameter that may appear up to <see cref="Max"/> times; records the list of parsed values (empty when absent).</summary>
internal sealed record RepeatableField<T>(Parameter<IReadOnlyList<T>> Parameter, int Max, ErrorCode TooMany, ValueParser<T> Parse) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var values = request.All(Parameter.Name);
        if (values.Length > Max) return new TokenError(TooMany, Parameter.Name);
        var list = new T[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var result = Parse(values[i], parsed);
            if (result.Error != ErrorCode.None) return new TokenError(result.Error, result.Details ?? Parameter.Name);
            list[i] = result.Value;
        }
        parsed.Set(Parameter, list);
        return null;
    }
}

/// <summary>A parameter the DRM does not take: given at all, it is <paramref name="Code"/>.</summary>
internal sealed record Forbidden(Parameter Parameter, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(Parameter.Name) ? new TokenError(Code, Parameter.Name) : null;
}

/// <summary>Two parameters that must not both be given.</summary>
internal sealed record Exclusive(Parameter First, Parameter Second, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(First.Name) && request.Has(Second.Name) ? new TokenError(Code) : null;
}

/// <summary>Two parameters that are given together or not at all.</summary>
internal sealed record Together(Parameter First, Parameter Second, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(First.Name) != request.Has(Second.Name) ? new TokenError(Code) : null;
}

/// <summary>A parameter that needs one of <paramref name="Others"/> beside it.</summary>
internal sealed record Requires(Parameter Parameter, Parameter[] Others, ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        request.Has(Parameter.Name) && !Others.Any(other => request.Has(other.Name)) ? new TokenError(Code) : null;
}

/// <summary>At least one of <paramref name="Parameters"/>; none is <paramref name="Missing"/>, naming <paramref name="Named"/>.</summary>
internal sealed record AnyOf(Parameter[] Parameters, ErrorCode Missing, Parameter Named) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed) =>
        Parameters.Any(parameter => request.Has(parameter.Name)) ? null : new TokenError(Missing, Named.Name);
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
    public static Field<T> Required<T>(Parameter<T> parameter, ErrorCode missing, ValueParser<T> parse, ErrorCode repeated) =>
        new(parameter, parse, repeated) { Missing = missing, RequiredWhen = _ => true };

    public static Field<T> Optional<T>(Parameter<T> parameter, ValueParser<T> parse, ErrorCode repeated) => new(parameter, parse, repeated);
}
