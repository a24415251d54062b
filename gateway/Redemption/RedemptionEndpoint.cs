using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Minting;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Gateway.Metrics;
using Orleans.Tokens.WebHosting;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// The rights URLs, <c>/hms/wv/rights/</c>, <c>/hms/pr/rights</c>, <c>/hms/fp/rights/</c> and <c>/hms/ck/rights</c>
/// (contract sections 8 and 13). A redemption:
/// <list type="number">
/// <item>finds the token (<see cref="RightsToken"/>) and opens it: key id, tag, expiry, environment, DRM; else 400
/// -4010 with the reason, and nothing is recorded;</item>
/// <item>asks the token's customer grain whether it is revoked or (single-use) used, which holds a single-use token
/// for this redemption: 400 -4010 <c>revoked</c> or <c>already used</c>;</item>
/// <item>with no issuer for the DRM, answers 501;</item>
/// <item>hands the token and the challenge to the issuer (<see cref="ILicenseIssuer"/>);</item>
/// <item>records the redemption with the issuer's outcome, durably, which uses a single-use token up when its license
/// was issued, and only then answers: the issuer's answer, 400 -7008 for a bad challenge, 500 -7008 when the issuer
/// failed. A record that cannot be written, or a single-use token that another redemption used first, answers no
/// license: 503 -2030, or 400 -4010 <c>already used</c>.</item>
/// </list>
/// </summary>
internal sealed class RedemptionEndpoint(
    TokenKeyRing keys, GatewayOptions options, CustomerGrains customers, LicenseIssuers issuers, GatewayMetrics metrics,
    ILogger<RedemptionEndpoint> logger)
{
    public async Task Handle(HttpContext context, Drm drm)
    {
        var outcome = "unavailable";
        try
        {
            outcome = await Redeem(context, drm);
        }
        finally
        {
            metrics.Redeemed(drm, outcome);
        }
    }

    /// <summary>Answers one rights request; the outcome counted (<see cref="GatewayMetrics.Redeemed"/>).</summary>
    private async Task<string> Redeem(HttpContext context, Drm drm)
    {
        var parameters = await RequestParameters.Read(context.Request, context.RequestAborted);
        var format = parameters.ErrorFormat;
        var token = RightsToken.Find(context.Request, parameters, drm);
        var reason = "missing";
        var payload = token is not null ? keys.Open(token, DateTimeOffset.UtcNow, out reason) : null;
        if (payload is not null && payload.Environment != options.Environment.Name())
        {
            payload = null;
            reason = "not for this service";
        }
        else if (payload is not null && payload.Drm != drm.Name())
        {
            payload = null;
            reason = "wrong DRM";
        }
        if (payload is null)
        {
            await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.InvalidToken, reason), format);
            return "invalid_token";
        }
        // Section 4: the cookie is logged at redemption.
        logger.LogInformation("Redemption of token {TokenId} of customer {CustomerId}, cookie {Cookie}",
            payload.TokenId, payload.CustomerId, payload.Cookie);
        var issuer = issuers.For(drm);
        var grain = customers.Get(payload.CustomerId);
        var ticket = new RedemptionTicket(payload.TokenId, payload.IssuedAt, payload.ExpiresAt, payload.SingleUse, payload.AuthenticatorTag);
        RedemptionStart start;
        try
        {
            start = await grain.StartRedemption(ticket, hold: issuer is not null);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            return await Unavailable(context, payload, failure, format);
        }
        if (start.Refusal != RedemptionRefusal.None)
        {
            await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.InvalidToken, start.Refusal.Details()), format);
            return start.Refusal == RedemptionRefusal.AlreadyUsed ? "already_used" : "revoked";
        }
        if (issuer is null)
        {
            await PlainText.Write(context.Response, StatusCodes.Status501NotImplemented, "No license issuer is configured.");
            return "no_issuer";
        }

        IssuerAnswer? answer = null;
        try
        {
            answer = await issuer.Issue(payload, RequestBody.Buffered(context.Request), context.RequestAborted);
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("The {Drm} license issuer failed for token {TokenId}: {Reason}", drm.Name(), payload.TokenId, failure.GetType().Name);
        }
        var recordOutcome = answer switch
        {
            IssuedAnswer issued => issued.Outcome,
            BadChallenge => RedemptionOutcomes.Refused,
            _ => RedemptionOutcomes.Failed,
        };
        var record = new RedemptionRecord(DateTimeOffset.UtcNow, payload.TokenId, payload.Drm, Kid.ToHex(payload.Kid), payload.Cookie,
            recordOutcome, context.Connection.RemoteIpAddress?.ToString());
        RedemptionRefusal ended;
        try
        {
            ended = await grain.EndRedemption(ticket, start.Hold, record);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            return await Unavailable(context, payload, failure, format);
        }
        if (ended != RedemptionRefusal.None)
        {
            await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.InvalidToken, ended.Details()), format);
            return "already_used";
        }
        switch (answer)
        {
            case IssuedAnswer issued:
                var response = context.Response;
                response.StatusCode = issued.Status;
                response.Headers.CacheControl = "no-store";
                if (issued.ContentType is { } contentType) response.ContentType = contentType;
                response.ContentLength = issued.Body.Length;
                await response.Body.WriteAsync(issued.Body, context.RequestAborted);
                break;
            case BadChallenge bad:
                await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.LicenseGenerationFailed, bad.Details, StatusCodes.Status400BadRequest), format);
                break;
            default:
                await ErrorResponse.Write(context.Response, TokenError.Unexpected, format);
                break;
        }
        return recordOutcome;
    }

    /// <summary>503 -2030: the customer's grain or its storage could not take the redemption; no license is answered.</summary>
    private async Task<string> Unavailable(HttpContext context, TokenPayload payload, Exception failure, ErrorFormat format)
    {
        logger.LogWarning("Redemption of token {TokenId} of customer {CustomerId} failed: {Reason}",
            payload.TokenId, payload.CustomerId, failure.GetType().Name);
        await ErrorResponse.Write(context.Response, TokenError.Unavailable, format);
        return "unavailable";
    }
}
