using System.Diagnostics.Metrics;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>How grain-state writes go: transaction latency, rows per transaction, failed rows.</summary>
public sealed class StorageMetrics
{
    public const string MeterName = "Orleans.Tokens.Storage";

    private readonly Histogram<double> _writeSeconds;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _failedWrites;

    public StorageMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _writeSeconds = meter.CreateHistogram<double>("tokens_storage_write_duration", "s", "Latency of one grain-state write transaction");
        _batchSize = meter.CreateHistogram<int>("tokens_storage_batch_size", "{write}", "Grain-state writes that shared one transaction");
        _failedWrites = meter.CreateCounter<long>("tokens_storage_failed_writes", "{write}", "Grain-state writes whose transaction failed");
    }

    public void Written(int rows, TimeSpan elapsed)
    {
        _writeSeconds.Record(elapsed.TotalSeconds);
        _batchSize.Record(rows);
    }

    public void Failed(int rows) => _failedWrites.Add(rows);
}
