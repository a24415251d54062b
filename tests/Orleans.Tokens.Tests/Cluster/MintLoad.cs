using System.Diagnostics;
using System.Net;
using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>One mint request of a <see cref="MintLoad"/>: when it was sent and answered (ms on the load's clock) and how.</summary>
internal sealed record MintOutcome(long CustomerId, string Gateway, double SentMs, double AnsweredMs, int Status, int? ErrorCode, string Detail)
{
    public bool Minted => Status == 200;

    /// <summary>A 200 whose body is not a Widevine answer (the loop checks it; see <see cref="Detail"/>).</summary>
    public bool MalformedMint => Minted && Detail.Length > 0;

    /// <summary>
    /// The answers the contract gives when the cluster or its storage cannot take a request: 503 -2030 (nothing
    /// debited) or 503 -9001 (outcome unknown), section 11.
    /// </summary>
    public bool Unavailable => Status == 503 && ErrorCode is -2030 or -9001;

    /// <summary>An answer that leaves the debit open: 503 -9001, or none at all.</summary>
    public bool OutcomeOpen => Status == 0 || (Status == 503 && ErrorCode == -9001);

    /// <summary>Whether the request was open at some moment of [<paramref name="fromMs"/>, <paramref name="toMs"/>].</summary>
    public bool OpenDuring(double fromMs, double toMs) => SentMs <= toMs && AnsweredMs >= fromMs;

    public string Kind => Status == 0 ? "no answer" : ErrorCode is { } code ? $"{Status} {code}" : $"{Status}";
}

/// <summary>
/// Mint traffic until stopped, every request recorded with its times on one clock.
/// <list type="bullet">
/// <item>Concurrent request loops, each minting for one customer through one gateway, one request after another.
/// Loop i serves customer i mod N through gateway (i div N) mod G, so every customer is served through every
/// gateway. After an answer other than 200 a loop waits 20 ms before its next request, so that an outage's instant
/// refusals do not starve the processes under test of the two cores.</item>
/// <item>A prober per customer that sends one request every 250 ms, alternating between the gateways, without
/// waiting for the earlier ones to be answered. A loop stays blocked on a request the cluster holds (up to Orleans'
/// 30 s response timeout); the probers keep asking, so the moment minting resumes is seen to within 250 ms.</item>
/// </list>
/// </summary>
internal sealed class MintLoad
{
    private readonly IReadOnlyList<ClusterGateway> _gateways;
    private readonly IReadOnlyList<Customer> _customers;
    private readonly int _loops;
    private readonly List<MintOutcome> _outcomes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task[] _running = [];

    public MintLoad(IReadOnlyList<ClusterGateway> gateways, IReadOnlyList<Customer> customers, int loops)
    {
        _gateways = gateways;
        _customers = customers;
        _loops = loops;
    }

    /// <summary>Milliseconds on the clock every outcome uses.</summary>
    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    public IReadOnlyList<MintOutcome> Outcomes
    {
        get { lock (_outcomes) return [.. _outcomes]; }
    }

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    public void Start() =>
        _running =
        [
            .. Enumerable.Range(0, _loops).Select(i => Task.Run(() => LoopAsync(
                _customers[i % _customers.Count],
                _gateways[i / _customers.Count % _gateways.Count]))),
            .. _customers.Select(customer => Task.Run(() => ProbeAsync(customer))),
        ];

    /// <summary>Stops sending; returns when every request sent has been answered (or has failed).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_running);
    }

    /// <summary>
    /// Waits until every customer has had a 200 for a request sent at or after <paramref name="sinceMs"/>, or until
    /// <paramref name="limit"/> has passed since then. Returns for each customer when (ms on the load's clock) the
    /// first such 200 was answered, null when none came in time.
    /// </summary>
    public async Task<Dictionary<long, double?>> WaitForMintsSinceAsync(double sinceMs, TimeSpan limit)
    {
        while (true)
        {
            var first = FirstMintsSince(sinceMs);
            if (first.Values.All(d => d is not null) || NowMs - sinceMs > limit.TotalMilliseconds) return first;
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Returns once every customer has had a 200, and then another for a request sent after that: minting flows
    /// through every customer's grain at this moment, as a fault wants it. Fails when either takes over 30 s.
    /// </summary>
    public async Task AssertFlowingBeforeAsync(string fault)
    {
        var limit = TimeSpan.FromSeconds(30);
        var first = await WaitForMintsSinceAsync(0, limit);
        Assert.True(first.Values.All(t => t is not null), $"not every customer minted before {fault}: the cluster did not work to begin with");
        var again = await WaitForMintsSinceAsync(NowMs, limit);
        Assert.True(again.Values.All(t => t is not null), $"not every customer minted again before {fault}: minting did not flow");
    }

    public Dictionary<long, double?> FirstMintsSince(double sinceMs)
    {
        var outcomes = Outcomes;
        return _customers.ToDictionary(
            c => c.Id,
            c => outcomes.Where(o => o.CustomerId == c.Id && o.Minted && o.SentMs >= sinceMs).Select(o => (double?)o.AnsweredMs).Min());
    }

    private async Task LoopAsync(Customer customer, ClusterGateway gateway)
    {
        var request = new MintRequestTarget(customer, gateway);
        while (!_stop.IsCancellationRequested)
        {
            var outcome = await SendAsync(request);
            if (!outcome.Minted)
            {
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task ProbeAsync(Customer customer)
    {
        var targets = _gateways.Select(g => new MintRequestTarget(customer, g)).ToArray();
        var sent = new List<Task>();
        using var timer = new PeriodicTimer(ProbeInterval);
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            sent.Add(SendAsync(targets[i % targets.Length]));
            try
            {
                await timer.WaitForNextTickAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await Task.WhenAll(sent);
    }

    private async Task<MintOutcome> SendAsync(MintRequestTarget request)
    {
        var (customer, gateway) = (request.Customer, request.Gateway);
        var sent = NowMs;
        MintOutcome outcome;
        try
        {
            // Not cancelled by the stop: a request once sent is always seen through to its answer.
            using var response = await gateway.Http.GetAsync(request.Target, CancellationToken.None);
            var answer = await MintAnswer.ReadAsync(response);
            var minted = answer.Status == HttpStatusCode.OK;
            // A 200 must carry a token: the rights URL of this gateway with ExpressPlayToken, one line (section 2).
            var detail = !minted ? answer.ToString()
                : answer.ContentType?.StartsWith("text/uri-list", StringComparison.Ordinal) == true
                  && answer.Body.StartsWith(request.RightsPrefix, StringComparison.Ordinal)
                  && answer.Body.Length > request.RightsPrefix.Length ? "" : "malformed 200: " + answer;
            outcome = new MintOutcome(customer.Id, gateway.Name, sent, NowMs, (int)answer.Status, minted ? null : answer.ErrorCode, detail);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            outcome = new MintOutcome(customer.Id, gateway.Name, sent, NowMs, 0, null, exception.GetType().Name + ": " + exception.Message);
        }
        lock (_outcomes) _outcomes.Add(outcome);
        return outcome;
    }

    /// <summary>A valid Widevine mint (JSON errors) for one customer through one gateway, and what its 200 starts with.</summary>
    private sealed class MintRequestTarget(Customer customer, ClusterGateway gateway)
    {
        public Customer Customer { get; } = customer;
        public ClusterGateway Gateway { get; } = gateway;
        public string Target { get; } = TokenRequests.WidevinePath + "?" + TokenRequests.Query(
            [.. TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("errorFormat", "json")]);
        public string RightsPrefix { get; } = new Uri(gateway.BaseUrl, "/hms/wv/rights/") + "?ExpressPlayToken=";
    }
}
