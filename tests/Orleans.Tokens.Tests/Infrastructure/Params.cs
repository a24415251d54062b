namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// Request parameters in order, duplicates allowed (a query string or a form body). <see cref="Set"/> replaces,
/// <see cref="Append"/> adds one more occurrence, <see cref="Without"/> removes every occurrence.
/// </summary>
public sealed class Params : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public void Add(string name, string value) => _items.Add(new(name, value));

    public string? this[string name] => _items.FirstOrDefault(p => p.Key == name).Value;

    public Params Set(string name, string value)
    {
        var index = _items.FindIndex(p => p.Key == name);
        _items.RemoveAll(p => p.Key == name);
        _items.Insert(index < 0 ? _items.Count : index, new(name, value));
        return this;
    }

    public Params Append(string name, string value)
    {
        Add(name, value);
        return this;
    }

    public Params Without(string name)
    {
        _items.RemoveAll(p => p.Key == name);
        return this;
    }

    public Params Clone()
    {
        var copy = new Params();
        copy._items.AddRange(_items);
        return copy;
    }

    /// <summary>Percent-encoded (<c>+</c> becomes <c>%2B</c>), without the leading <c>?</c>.</summary>
    public string ToQueryString() =>
        string.Join("&", _items.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    public FormUrlEncodedContent ToForm() => new(_items);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
