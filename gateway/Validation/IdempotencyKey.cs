using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// The idempotency key of a mint (contract section 11): the <c>Idempotency-Key</c> header or the <c>requestId</c>
/// parameter, each a bare or quoted (structured-field string: <c>"…"</c> with <c>\"</c> and <c>\\</c> escapes)
/// string of 1–255 printable ASCII characters (0x20–0x7E). The last row of every table (section 3, step 3): a
/// request malformed in any other parameter gets that parameter's code. -9004 for a malformed key, a header given
/// twice, a repeated <c>requestId</c>, or a header and a <c>requestId</c> that differ. Records the unquoted key
/// as <see cref="Key"/>.
/// </summary>
internal sealed record IdempotencyKey : Rule
{
    public const string Name = "requestId";

    /// <summary>The parsed key, unquoted.</summary>
    public static readonly Parameter<string> Key = new(Name);

    public const int MaxLength = 255;

    public override TokenError? Check(RequestParameters request, ParsedValues parsed)
    {
        var headers = request.IdempotencyKeys;
        var parameters = request.All(Name);
        if (headers.Count == 0 && parameters.Length == 0) return null;
        if (headers.Count > 1 || parameters.Length > 1) return new TokenError(ErrorCode.InvalidIdempotencyKey);
        var key = Unquote(headers.Count == 1 ? headers[0] : parameters[0]);
        // Given both ways, the two must be the same key.
        if (key is null || (headers.Count == 1 && parameters.Length == 1 && Unquote(parameters[0]) != key))
            return new TokenError(ErrorCode.InvalidIdempotencyKey);
        parsed.Set(Key, key);
        return null;
    }

    /// <summary>The key a bare or quoted value stands for, or null when it is malformed.</summary>
    public static string? Unquote(string value)
    {
        var key = value;
        if (value.StartsWith('"'))
        {
            if (value.Length < 2 || !value.EndsWith('"')) return null;
            var unescaped = new System.Text.StringBuilder(value.Length);
            for (var i = 1; i < value.Length - 1; i++)
            {
                var c = value[i];
                if (c == '"') return null;
                if (c == '\\')
                {
                    if (++i == value.Length - 1 || value[i] is not ('"' or '\\')) return null;
                    c = value[i];
                }
                unescaped.Append(c);
            }
            key = unescaped.ToString();
        }
        else if (value.Contains('"'))
        {
            return null;
        }
        return key.Length is >= 1 and <= MaxLength && !key.AsSpan().ContainsAnyExceptInRange(' ', '~') ? key : null;
    }
}
