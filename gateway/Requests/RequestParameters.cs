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

    // Every parameter with a non-empty value, sorted by name (ordinal) and then by the order given: one name's
    // values lie side by side, in their order. Two arrays rather than a dictionary of lists: one allocation each.
    private ParameterName[] _names = new ParameterName[InitialCapacity];
    private string[] _values = new string[InitialCapacity];
    private int _count;
    private bool _dotted;

    private const int InitialCapacity = 16;

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
        Array.Sort(parameters._names, parameters._values, 0, parameters._count);
        return parameters;
    }

    /// <summary>
    /// How an endpoint without a parameter table (the rights URLs, records) renders its errors: json when
    /// <c>errorFormat=json</c> is given once, else html (section 2).
    /// </summary>
    public ErrorFormat ErrorFormat => All("errorFormat") is ["json"] ? ErrorFormat.Json : ErrorFormat.Html;

    /// <summary>Every non-empty value given for <paramref name="name"/>, in order.</summary>
    public ReadOnlySpan<string> All(string name)
    {
        var first = First(name);
        return _values.AsSpan(first, RunLength(first, name));
    }

    public bool Has(string name) => !All(name).IsEmpty;

    /// <summary>
    /// The suffixes of the names <c>{prefix}.{suffix}</c> given (section 14's indexed names, <c>kid.0</c>), each once,
    /// in ordinal order; <paramref name="prefix"/> has no dot. Nothing is allocated unless some name has a dot.
    /// </summary>
    public IReadOnlyList<string> Suffixes(string prefix)
    {
        if (!_dotted) return [];
        List<string>? suffixes = null;
        for (var i = First(prefix); i < _count; i++)
        {
            var name = _names[i].Name;
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) break;
            if (name.Length <= prefix.Length || name[prefix.Length] != '.' || (i > 0 && name == _names[i - 1].Name)) continue;
            (suffixes ??= []).Add(name[(prefix.Length + 1)..]);
        }
        return suffixes ?? [];
    }

    /// <summary>
    /// Every parameter but those <paramref name="aside"/> names, with its values (each name's in the order given),
    /// names in ordinal order.
    /// </summary>
    public IEnumerable<(string Name, ReadOnlyMemory<string> Values)> Ordered(HashSet<string> aside)
    {
        for (var first = 0; first < _count;)
        {
            var name = _names[first].Name;
            var length = RunLength(first, name);
            if (!aside.Contains(name)) yield return (name, _values.AsMemory(first, length));
            first += length;
        }
    }

    /// <summary>How many parameters from <paramref name="first"/> on are named <paramref name="name"/>.</summary>
    private int RunLength(int first, string name)
    {
        var end = first;
        while (end < _count && string.Equals(_names[end].Name, name, StringComparison.Ordinal)) end++;
        return end - first;
    }

    /// <summary>The index of the first parameter named <paramref name="name"/> or after it (a binary search).</summary>
    private int First(string name)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (string.CompareOrdinal(_names[middle].Name, name) < 0) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    private void Add(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded)) return;
        foreach (var pair in new QueryStringEnumerable(encoded))
        {
            var value = pair.DecodeValue().ToString();
            if (value.Length == 0) continue;
            var name = pair.DecodeName().ToString();
            if (_count == _names.Length)
            {
                Array.Resize(ref _names, _count * 2);
                Array.Resize(ref _values, _count * 2);
            }
            _names[_count] = new ParameterName(name, _count);
            _values[_count++] = value;
            _dotted |= name.Contains('.');
        }
    }

    /// <summary>A parameter's name and its place among those given: the sort key that keeps one name's values in order.</summary>
    private readonly record struct ParameterName(string Name, int Order) : IComparable<ParameterName>
    {
        public int CompareTo(ParameterName other)
        {
            var byName = string.CompareOrdinal(Name, other.Name);
            return byName != 0 ? byName : Order.CompareTo(other.Order);
        }
    }

    private static bool IsForm(string? contentType) =>
        contentType is not null
        && contentType.Split(';')[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
