using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 14's several keys in one token: <c>kid.N</c> and <c>contentKey.N</c> (N = 0…15, at least .0, no
/// gaps) in place of <c>kid</c>/<c>contentKey</c>, each with per-key policy <c>base.N</c> that defaults to the
/// unindexed <c>base</c>. Parsed values are kept per key (<see cref="ParsedValues.Set{T}(Parameter{T}, int, T)"/>);
/// <see cref="ParsedValues.KeyCount"/> holds how many keys the request has, 1 for a plain one.
/// </summary>
internal static class IndexedKeys
{
    /// <summary>The most keys one token carries.</summary>
    public const int MaxKeys = 16;

    private static readonly string[] Suffixes = [.. Enumerable.Range(0, MaxKeys).Select(index => index.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Index <paramref name="index"/> (0–15) as it ends a parameter's name: decimal, no leading zero.</summary>
    public static string Suffix(int index) => Suffixes[index];

    /// <summary>The index a suffix names: 0–15 in decimal without a leading zero, else null.</summary>
    public static int? Index(string suffix)
    {
        var index = Array.IndexOf(Suffixes, suffix);
        return index < 0 ? null : index;
    }

    /// <summary>Key <paramref name="index"/>'s value of <paramref name="parameter"/>, or the unindexed default.</summary>
    public static T? PerKey<T>(ParsedValues parsed, Parameter<T> parameter, int index) where T : struct =>
        (parsed.IsIndexed ? parsed.FindValue(parameter, index) : null) ?? parsed.FindValue(parameter);
}

/// <summary>
/// Which form the keys take: plain (<c>kid</c>, <c>contentKey</c>, <c>kek</c>, <c>ek</c>) or indexed (<c>kid.N</c>,
/// <c>contentKey.N</c>); both is <paramref name="Both"/>. Runs before any key value is read.
/// </summary>
internal sealed record KeyForm(Parameter[] Plain, Parameter[] Indexed, ErrorCode Both) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var indexed = Indexed.FirstOrDefault(parameter => request.Suffixes(parameter.Name).Count > 0);
        if (indexed is not null && Plain.FirstOrDefault(parameter => request.Has(parameter.Name)) is { } plain)
            return new TokenError(Both, $"{plain.Name} with {indexed.Name}.N");
        parsed.IsIndexed = indexed is not null;
        return null;
    }
}

/// <summary>
/// The indexed rows of one parameter, <c>{Base}.0</c>…<c>{Base}.15</c>, in index order, each like the unindexed row
/// (a repeated or malformed value gets <see cref="Invalid"/>). A name whose index is not 0–15 written plainly, or
/// that names no key of the request, is <see cref="Invalid"/> too. With <see cref="Missing"/> set (the <c>kid</c>
/// row) the indexes present make the keys: every index up to the highest must be given, else
/// <see cref="Missing"/>. Without the indexed form, any such name is refused: it would be a key's policy with no key.
/// </summary>
internal sealed record IndexedField<T>(Parameter<T> Base, ValueParser<T> Parse, ErrorCode Invalid) : Rule
{
    public ErrorCode Missing { get; init; }

    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var name = Base.Name;
        var suffixes = request.Suffixes(name);
        if (!parsed.IsIndexed)
            return suffixes.Count == 0 ? null : new TokenError(Invalid, $"{name}.{suffixes[0]}: indexed values go with kid.0…kid.N");
        if (suffixes.Count == 0) return Missing != ErrorCode.None ? new TokenError(Missing, Base.Indexed(0)) : null;
        var highest = -1;
        foreach (var suffix in suffixes)
        {
            if (IndexedKeys.Index(suffix) is not { } index) return new TokenError(Invalid, $"{name}.{suffix}: the index is 0–15");
            highest = Math.Max(highest, index);
        }
        if (Missing != ErrorCode.None)
        {
            for (var index = 0; index < highest; index++)
            {
                if (!request.Has(Base.Indexed(index))) return new TokenError(Missing, Base.Indexed(index));
            }
            parsed.KeyCount = highest + 1;
        }
        else if (highest >= parsed.KeyCount)
        {
            return new TokenError(Invalid, $"{Base.Indexed(highest)}: there is no kid.{highest}");
        }
        for (var index = 0; index <= highest; index++)
        {
            var values = request.All(Base.Indexed(index));
            if (values.Length == 0) continue;
            if (values.Length > 1) return new TokenError(Invalid, Base.Indexed(index));
            var result = Parse(values[0], parsed);
            if (result.Error != ErrorCode.None) return new TokenError(result.Error, result.Details ?? Base.Indexed(index));
            parsed.Set(Base, index, result.Value);
        }
        return null;
    }
}

/// <summary>
/// The presence check of a required per-key parameter, before its values: every key has <see cref="Base"/>, its own
/// <c>{Base}.N</c> or the unindexed default, else <see cref="Missing"/> (section 14). For a plain request that is the
/// unindexed parameter itself.
/// </summary>
internal sealed record EveryKey(Parameter Base, ErrorCode Missing) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        if (request.Has(Base.Name)) return null;
        if (!parsed.IsIndexed) return new TokenError(Missing, Base.Name);
        for (var index = 0; index < parsed.KeyCount; index++)
        {
            if (!request.Has(Base.Indexed(index))) return new TokenError(Missing, Base.Indexed(index));
        }
        return null;
    }
}

/// <summary>No KID twice among an indexed request's keys: two keys of one KID would be one key with two values.</summary>
internal sealed record DistinctKids(ErrorCode Code) : Rule
{
    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        if (!parsed.IsIndexed) return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < parsed.KeyCount; index++)
        {
            if (!seen.Add(Convert.ToHexString(parsed.Find(CommonParameters.Kid, index)!)))
                return new TokenError(Code, $"{CommonParameters.Kid.Indexed(index)}: a KID given before");
        }
        return null;
    }
}
