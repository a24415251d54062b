namespace Orleans.Tokens.Grains;

/// <summary>
/// What an activation knows of its rows, read by <paramref name="read"/> before first use and again after every
/// <see cref="Stale"/> (a read-back of the state: another activation may have written rows). A decision taken on
/// what was read (<see cref="Generation"/>) is good only while <see cref="IsCurrent"/>: <paramref name="read"/>
/// only adds, so it may run again over what it added before.
/// </summary>
internal sealed class RowsRead(Func<Task> read)
{
    private int _generation = 1;
    private int _read;
    private Task? _reading;

    /// <summary>The rows may have changed: they are read again before the next <see cref="Current"/> completes.</summary>
    public void Stale() => _generation++;

    /// <summary>Which reading the rows known come from: a decision made on them checks <see cref="IsCurrent"/> when it is written.</summary>
    public int Generation => _read;

    /// <summary>Whether the rows known when <paramref name="generation"/> was read are still the latest.</summary>
    public bool IsCurrent(int generation) => generation == _generation;

    /// <summary>Completes once the rows read are no older than the last <see cref="Stale"/>.</summary>
    public Task Current()
    {
        if (_read == _generation) return Task.CompletedTask;
        if (_reading is not { IsCompleted: false }) _reading = Read();
        return _reading;
    }

    private async Task Read()
    {
        while (_read != _generation)
        {
            var generation = _generation;
            await read();
            _read = generation;
        }
    }
}
