using System.Diagnostics;
using System.Net;
using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A storefront's keyed mint traffic (section 11, "Idempotent mints" and "Knowing the outcome"), bounded in count and
/// time, on loopback. Each of <c>workers</c> loops serves one customer (worker i serves customer i mod N): at most
/// once per <see cref="Pace"/> it starts a new <see cref="KeyedMint"/> with a key of its own and sends it, and again
/// with the same key and parameters, alternating between the gateways, while the answer is one that
/// <see cref="KeyedAttempt.Retried"/> names, after a short backoff, until it is answered 200 or refused otherwise.
/// A request that takes over <see cref="RequestTimeout"/> is abandoned (no answer) and retried; one key is given up
/// after <see cref="KeyLimit"/>, which fails the test. New keys stop after <see cref="MaxKeys"/> or at
/// <see cref="StopAsync"/>.
/// </summary>
internal sealed class KeyedMintLoad : IDisposable
{
    /// <summary>Below the cluster's 15 s grain-call deadline, so that some retries meet a first request still held.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(150);
    public static readonly TimeSpan KeyLimit = TimeSpan.FromSeconds(90);
    public const int MaxKeys = 20_000;

    private readonly IReadOnlyList<(string Name, HttpClient Http, string RightsPrefix)> _gateways;
    private readonly IReadOnlyList<Customer> _customers;
    private readonly int _workers;
    private readonly TokenKeyRing _keyRing;
    private readonly string _run = TokenRequests.RandomHex(4);
    private readonly List<KeyedMint> _mints = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task[] _running = [];

    public KeyedMintLoad(IReadOnlyList<ClusterGateway> gateways, IReadOnlyList<Customer> customers, int workers, TokenKeyRing keyRing)
    {
        _gateways = [.. gateways.Select(g => (g.Name, HostClient.For(g.BaseUrl, maxConnectionsPerServer: 256, RequestTimeout),
            new Uri(g.BaseUrl, "/hms/wv/rights/") + "?ExpressPlayToken="))];
        _customers = customers;
        _workers = workers;
        _keyRing = keyRing;
    }

    /// <summary>Milliseconds on the clock every attempt uses.</summary>
    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    /// <summary>Every logical mint started so far, in order.</summary>
    public IReadOnlyList<KeyedMint> Mints
    {
        get { lock (_mints) return [.. _mints]; }
    }

    public void Start() =>
        _running = [.. Enumerable.Range(0, _workers).Select(i => Task.Run(() => WorkAsync(_customers[i % _customers.Count], i)))];

    /// <summary>
    /// Starts no new key; returns once every key started has been seen through (answered, refused or given up), or
    /// throws after <paramref name="limit"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan limit)
    {
        _stop.Cancel();
        await Task.WhenAll(_running).WaitAsync(limit);
    }

    /// <summary>
    /// Waits until every customer has had a key answered 200 by a request sent at or after <paramref name="sinceMs"/>
    /// (minting flows through every customer's grain), and returns when the last of them was answered (ms on the
    /// load's clock); fails after <paramref name="limit"/>, naming <paramref name="what"/>.
    /// </summary>
    public async Task<double> WaitForFlowAsync(double sinceMs, TimeSpan limit, string what)
    {
        while (true)
        {
            var mints = Mints;
            var first = _customers.Select(c => mints
                .Where(m => m.Customer.Id == c.Id).Select(m => m.Answer).Where(a => a is not null && a.SentMs >= sinceMs)
                .Select(a => (double?)a!.AnsweredMs).Min()).ToList();
            if (first.All(t => t is not null)) return first.Max()!.Value;
            if (NowMs - sinceMs > limit.TotalMilliseconds)
                Assert.Fail($"minting did not flow for every customer within {limit.TotalSeconds:0} s {what} " +
                            $"({first.Count(t => t is null)} of {_customers.Count} customers had no 200)");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Sends every one of <paramref name="mints"/> again with its key and parameters (the load stopped), each seen
    /// through like a new one, at most <paramref name="parallel"/> at a time, and returns the replays.
    /// </summary>
    public async Task<List<KeyedMint>> ReplayAsync(IReadOnlyList<KeyedMint> mints, int parallel)
    {
        var replays = mints.Select(m => m.Replay()).ToList();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async worker =>
        {
            for (var i = Interlocked.Increment(ref next); i < replays.Count; i = Interlocked.Increment(ref next))
                await SeeThroughAsync(replays[i], worker + i);
        }));
        return replays;
    }

    private async Task WorkAsync(Customer customer, int worker)
    {
        using var timer = new PeriodicTimer(Pace);
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var mint = new KeyedMint(customer, $"{_run}-{worker}-{n}");
            lock (_mints)
            {
                if (_mints.Count >= MaxKeys) return;
                _mints.Add(mint);
            }
            await SeeThroughAsync(mint, worker + n);
            try
            {
                await timer.WaitForNextTickAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Sends <paramref name="mint"/> until it is answered other than by a retried answer, or its limit passes.</summary>
    private async Task SeeThroughAsync(KeyedMint mint, int firstGateway)
    {
        var started = NowMs;
        for (var i = firstGateway; ; i++)
        {
            var attempt = await SendAsync(mint, _gateways[i % _gateways.Count]);
            mint.Add(attempt);
            if (!attempt.Retried || NowMs - started > KeyLimit.TotalMilliseconds) return;
            // Not cancelled by the stop: a key once started is always seen through.
            await Task.Delay(attempt.Status == 409 ? 100 : 50);
        }
    }

    private async Task<KeyedAttempt> SendAsync(KeyedMint mint, (string Name, HttpClient Http, string RightsPrefix) gateway)
    {
        var sent = NowMs;
        var sentAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, mint.Target);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", mint.Key);
            using var response = await gateway.Http.SendAsync(request, CancellationToken.None);
            var answer = await MintAnswer.ReadAsync(response);
            if (answer.Status != HttpStatusCode.OK)
                return new KeyedAttempt(gateway.Name, sent, NowMs, sentAt, (int)answer.Status, answer.ErrorCode, null, answer.ToString());
            // A 200 carries the rights URL of this gateway with ExpressPlayToken, one line (section 2).
            var body = answer.Body;
            var token = answer.ContentType?.StartsWith("text/uri-list", StringComparison.Ordinal) == true
                && body.StartsWith(gateway.RightsPrefix, StringComparison.Ordinal)
                ? body[gateway.RightsPrefix.Length..] : null;
            var payload = token is null ? null : _keyRing.Open(token, DateTimeOffset.UtcNow, out _);
            return new KeyedAttempt(gateway.Name, sent, NowMs, sentAt, 200, null, payload?.TokenId,
                payload is null ? "a 200 whose token does not open: " + answer : "");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new KeyedAttempt(gateway.Name, sent, NowMs, sentAt, 0, null, null, exception.GetType().Name + ": " + exception.Message);
        }
    }

    public void Dispose()
    {
        foreach (var (_, http, _) in _gateways) http.Dispose();
        _stop.Dispose();
    }
}
