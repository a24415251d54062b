namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// A parameter of the contract's tables (sections 4, 5, 13, 14) by its name in a request, and the slot its parsed
/// value takes in <see cref="ParsedValues"/>. Presence rules name parameters of any type; <see cref="Parameter{T}"/>
/// also says what a value parses to.
/// </summary>
internal abstract class Parameter
{
    private static int _count;

    private readonly string[] _indexedNames;

    protected Parameter(string name)
    {
        Name = name;
        Slot = Interlocked.Increment(ref _count) - 1;
        _indexedNames = [.. Enumerable.Range(0, IndexedKeys.MaxKeys).Select(index => $"{name}.{IndexedKeys.Suffix(index)}")];
    }

    /// <summary>How many parameters there are: every slot is below it.</summary>
    public static int Count => Volatile.Read(ref _count);

    /// <summary>The name in a request (case-sensitive), and in a refusal's details.</summary>
    public string Name { get; }

    /// <summary>The index of this parameter's value in <see cref="ParsedValues"/>.</summary>
    public int Slot { get; }

    /// <summary>The name of key <paramref name="index"/>'s value (section 14): <c>{Name}.{index}</c>, index 0–15.</summary>
    public string Indexed(int index) => _indexedNames[index];

    public override string ToString() => Name;
}

/// <summary>A parameter whose value parses to a <typeparamref name="T"/>.</summary>
internal sealed class Parameter<T>(string name) : Parameter(name);
