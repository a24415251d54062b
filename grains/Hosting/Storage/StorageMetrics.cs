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
        // Exported as tokens_storage_write_duration_seconds, tokens_storage_batch_size, tokens_storage_failed_writes_total.
        _writeSeconds = meter.CreateHistogram<double>("tokens_storage_write_duration", "s", "Latency of one grain-state write transaction",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _batchSize = meter.CreateHistogram<int>("tokens_storage_batch_size", null, "Grain-state writes that shared one transaction",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        _failedWrites = meter.CreateCounter<long>("tokens_storage_failed_writes", null, "Grain-state writes whose transaction failed");
        _failedWrites.Add(0); // exported as 0 from the start, so that alerts on it see a series
    }

    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    public void Written(int rows, TimeSpan elapsed)
    {
        _writeSeconds.Record(elapsed.TotalSeconds);
        _batchSize.Record(rows);
    }

    public void Failed(int rows) => _failedWrites.Add(rows);
}
