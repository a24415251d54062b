namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// A license issuer of contract section 8: given a verified token and the player's license challenge (the request
/// body, empty for a GET), it answers the license, or says the challenge is bad. Any exception is the issuer failing
/// (500 -7008).
/// </summary>
internal interface ILicenseIssuer
{
    Task<IssuerAnswer> Issue(TokenPayload token, ReadOnlyMemory<byte> challenge, CancellationToken cancellation);
}

/// <summary>What an issuer answered.</summary>
internal abstract record IssuerAnswer;

/// <summary>An answer passed to the player as is: its status, content type and body.</summary>
internal sealed record IssuedAnswer(int Status, string? ContentType, ReadOnlyMemory<byte> Body) : IssuerAnswer
{
    /// <summary>The outcome a record keeps: a 2xx issued a license, a 4xx refused the challenge, anything else failed.</summary>
    public string Outcome => Status switch
    {
        >= 200 and < 300 => RedemptionOutcomes.Issued,
        >= 400 and < 500 => RedemptionOutcomes.Refused,
        _ => RedemptionOutcomes.Failed,
    };
}

/// <summary>A challenge the issuer cannot parse: 400 -7008 with <paramref name="Details"/> (no input echoed).</summary>
internal sealed record BadChallenge(string Details) : IssuerAnswer;
