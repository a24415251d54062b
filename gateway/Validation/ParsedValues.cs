namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// The values a request's parameters parsed to, each in its parameter's slot (section 14's per-key values apart, by
/// slot and key index), the form of its keys, and the moment of issue.
/// </summary>
internal sealed class ParsedValues(Drm drm, DateTimeOffset issuedAt)
{
    private object?[] _values = new object?[Parameter.Count];
    private object?[]?[]? _perKey;

    public Drm Drm { get; } = drm;

    public DateTimeOffset IssuedAt { get; } = issuedAt;

    /// <summary>Whether the keys are section 14's indexed ones (<c>kid.N</c>), set by the key form's row.</summary>
    public bool IsIndexed { get; set; }

    /// <summary>How many keys the request has (1–16), set by the indexed <c>kid</c> row; 1 for a plain request.</summary>
    public int KeyCount { get; set; } = 1;

    public void Set<T>(Parameter<T> parameter, T value)
    {
        if (parameter.Slot >= _values.Length) Array.Resize(ref _values, Parameter.Count);
        _values[parameter.Slot] = value;
    }

    /// <summary>Key <paramref name="index"/>'s own value of <paramref name="parameter"/> (<c>{name}.{index}</c>).</summary>
    public void Set<T>(Parameter<T> parameter, int index, T value)
    {
        _perKey ??= new object?[]?[Parameter.Count];
        if (parameter.Slot >= _perKey.Length) Array.Resize(ref _perKey, Parameter.Count);
        (_perKey[parameter.Slot] ??= new object?[IndexedKeys.MaxKeys])[index] = value;
    }

    /// <summary>A value the table requires, so it is there once the request validated.</summary>
    public T Get<T>(Parameter<T> parameter) => (T)Value(parameter)!;

    public T? Find<T>(Parameter<T> parameter) where T : class => Value(parameter) as T;

    public T? FindValue<T>(Parameter<T> parameter) where T : struct => Value(parameter) is T value ? value : null;

    public T? Find<T>(Parameter<T> parameter, int index) where T : class => Value(parameter, index) as T;

    public T? FindValue<T>(Parameter<T> parameter, int index) where T : struct => Value(parameter, index) is T value ? value : null;

    private object? Value(Parameter parameter) => parameter.Slot < _values.Length ? _values[parameter.Slot] : null;

    private object? Value(Parameter parameter, int index) =>
        _perKey is not null && parameter.Slot < _perKey.Length && _perKey[parameter.Slot] is { } perKey ? perKey[index] : null;
}
