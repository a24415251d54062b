namespace Orleans.Tokens.Gateway.Validation;

/// <summary>The values a request's parameters parsed to, by parameter name, and the moment of issue.</summary>
internal sealed class ParsedValues(Drm drm, DateTimeOffset issuedAt)
{
    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);

    public Drm Drm { get; } = drm;

    public DateTimeOffset IssuedAt { get; } = issuedAt;

    public void Set(string name, object value) => _values[name] = value;

    public T Get<T>(string name) => (T)_values[name];

    public T? Find<T>(string name) where T : class => _values.GetValueOrDefault(name) as T;

    public T? FindValue<T>(string name) where T : struct => _values.TryGetValue(name, out var value) ? (T)value : null;
}
