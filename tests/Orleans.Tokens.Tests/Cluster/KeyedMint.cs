using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// One request of a <see cref="KeyedMint"/>: through which gateway, when it was sent and answered (ms on the load's
/// clock, and the wall clock's Unix ms that the grains' clocks also read), how, and for a 200 the token id of the
/// token it carried, opened with the cluster's token key.
/// </summary>
internal sealed record KeyedAttempt(
    string Gateway, double SentMs, double AnsweredMs, long SentAtUnixMs, int Status, int? ErrorCode, string? TokenId, string Detail)
{
    public bool Minted => Status == 200 && TokenId is not null;

    /// <summary>
    /// Section 11: an answer that a client retries with the same key: none (connection error or timeout), 503 -2030
    /// (nothing debited), 503 -9001 (outcome unknown) and 409 -9003 (the key's first request still being decided).
    /// </summary>
    public bool Retried => Status == 0 || (Status, ErrorCode) is (503, -2030) or (503, -9001) or (409, -9003);

    /// <summary>503 -2030: the service says that this request debited nothing.</summary>
    public bool NothingDebited => (Status, ErrorCode) is (503, -2030);

    public string Kind => Status == 0 ? "no answer" : Status == 200 ? (TokenId is null ? "200 without a token" : "200") : $"{Status} {ErrorCode}";

    public override string ToString() => $"{Kind} via {Gateway}, sent {SentMs / 1000:0.000} s, answered {AnsweredMs / 1000:0.000} s{(TokenId is null ? "" : ", token id " + TokenId)}";
}

/// <summary>
/// One logical mint of a storefront (section 11): a Widevine mint for one customer with fixed parameters and an
/// <c>Idempotency-Key</c> of its own, sent again with the same key and parameters until it is answered.
/// </summary>
internal sealed class KeyedMint
{
    private readonly List<KeyedAttempt> _attempts = [];

    /// <summary>A new logical mint: a new content key and KID.</summary>
    public KeyedMint(Customer customer, string key)
        : this(customer, key, TokenRequests.WidevinePath + "?" + TokenRequests.Query(
            [.. TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("errorFormat", "json")]))
    {
    }

    private KeyedMint(Customer customer, string key, string target)
    {
        Customer = customer;
        Key = key;
        Target = target;
    }

    public Customer Customer { get; }
    public string Key { get; }

    /// <summary>The request target (path and query, JSON errors); the same for every attempt.</summary>
    public string Target { get; }

    /// <summary>The same mint (key and parameters) sent again later, with attempts of its own.</summary>
    public KeyedMint Replay() => new(Customer, Key, Target);

    public IReadOnlyList<KeyedAttempt> Attempts
    {
        get { lock (_attempts) return [.. _attempts]; }
    }

    /// <summary>The first 200, or null while there is none.</summary>
    public KeyedAttempt? Answer => Attempts.FirstOrDefault(a => a.Minted);

    public void Add(KeyedAttempt attempt)
    {
        lock (_attempts) _attempts.Add(attempt);
    }

    /// <summary>Every answer in order, for a failure message.</summary>
    public string History => $"customer {Customer.Id}, key {Key}: {string.Join("; ", Attempts)}";
}
