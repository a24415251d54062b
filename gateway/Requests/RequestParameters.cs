using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Orleans.Tokens.Gateway.Errors;

namespace Orleans.Tokens.Gateway.Requests;

/// <summary>
/// The parameters of one request: the query string, then a form-encoded POST body. Names are case-sensitive
/// and an empty value counts as absent (contract section 1). Also the request's <c>Idempotency-Key</c> header
/// values (section 11), which are checked with the parameters.
/// </summary>
internal sealed class RequestParameters
{
    /// <summary>The header of the IETF httpapi idempotency draft.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private Dictionary<string, List<string>>? _dotted;

    /// <summary>Every <c>Idempotency-Key</c> header value, empty ones included.</summary>
    public IReadOnlyList<string> IdempotencyKeys { get; private init; } = [];

    /// <summary>The query string, then a form-encoded POST body; any other body has no parameters.</summary>
    public static async Task<RequestParameters> Read(HttpRequest request, CancellationToken cancellation)
    {
        var parameters = new RequestParameters
        {
            IdempotencyKeys = request.Headers.TryGetValue(IdempotencyKeyHeader, out var keys) ? [.. keys.Select(k => k ?? "")] : [],
        };
        parameters.Add(request.QueryString.Value);
        if (request.Method == HttpMethods.Post && IsForm(request.ContentType))
        {
            // The body stays open: a rights URL reads it again as the license challenge.
            using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
            parameters.Add(await reader.ReadToEndAsync(cancellation));
            if (request.Body.CanSeek) request.Body.Position = 0;
        }
        return parameters;
    }

    /// <summary>
    /// How an endpoint without a parameter table (the rights URLs, records) renders its errors: json when
    /// <c>errorFormat=json</c> is given once, else html (section 2).
    /// </summary>
    public ErrorFormat ErrorFormat => All("errorFormat") is ["json"] ? ErrorFormat.Json : ErrorFormat.Html;

    /// <summary>Every non-empty value given for <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var values) ? values : [];

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>
    /// The suffixes of the names <c>{prefix}.{suffix}</c> given (section 14's indexed names, <c>kid.0</c>), in no
    /// particular order: split at the first dot, worked out once per request and only when some name has a dot.
    /// </summary>
    public IReadOnlyList<string> Suffixes(string prefix)
    {
        if (_dotted is null)
        {
            _dotted = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var name in _values.Keys)
            {
                var dot = name.IndexOf('.');
                if (dot < 0) continue;
                if (!_dotted.TryGetValue(name[..dot], out var suffixes)) _dotted[name[..dot]] = suffixes = [];
                suffixes.Add(name[(dot + 1)..]);
            }
        }
        return _dotted.TryGetValue(prefix, out var found) ? found : [];
    }

    /// <summary>
    /// Every parameter but those <paramref name="aside"/> names, with its values (each name's in the order given),
    /// names in ordinal order.
    /// </summary>
    public KeyValuePair<string, List<string>>[] Ordered(HashSet<string> aside)
    {
        var ordered = new KeyValuePair<string, List<string>>[_values.Count];
        var count = 0;
        foreach (var pair in _values)
        {
            if (!aside.Contains(pair.Key)) ordered[count++] = pair;
        }
        Array.Resize(ref ordered, count);
        Array.Sort(ordered, static (x, y) => string.CompareOrdinal(x.Key, y.Key));
        return ordered;
    }

    private void Add(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded)) return;
        foreach (var pair in new QueryStringEnumerable(encoded))
        {
            var value = pair.DecodeValue().ToString();
            if (value.Length == 0) continue;
            var name = pair.DecodeName().ToString();
            if (!_values.TryGetValue(name, out var values)) _values[name] = values = [];
            values.Add(value);
        }
    }

    private static bool IsForm(string? contentType) =>
        contentType is not null
        && contentType.Split(';')[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
