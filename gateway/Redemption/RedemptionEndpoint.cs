using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Minting;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// <c>/hms/wv/rights/</c>, <c>/hms/pr/rights</c> and <c>/hms/fp/rights/</c> (contract sections 8 and 13): find the token
/// (<see cref="RightsToken"/>) and verify it — key id, tag, expiry,
/// environment, DRM — and log the redemption with its cookie. No license issuer is built in yet: a verified token
/// is answered 501.
/// </summary>
internal sealed class RedemptionEndpoint(TokenKeyRing keys, GatewayOptions options, ILogger<RedemptionEndpoint> logger)
{
    public async Task Handle(HttpContext context, Drm drm)
    {
        var parameters = await RequestParameters.Read(context.Request, context.RequestAborted);
        var format = parameters.All("errorFormat") is ["json"] ? ErrorFormat.Json : ErrorFormat.Html;
        var token = RightsToken.Find(context.Request, parameters, drm);
        var reason = "missing";
        var payload = token is not null ? keys.Open(token, DateTimeOffset.UtcNow, out reason) : null;
        if (payload is not null && (payload.Environment != options.Environment.Name() || payload.Drm != drm.Name()))
        {
            payload = null;
            reason = "not for this service";
        }
        if (payload is null)
        {
            await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.InvalidToken, reason), format);
            return;
        }
        logger.LogInformation("Redemption of token {TokenId} of customer {CustomerId}, cookie {Cookie}",
            payload.TokenId, payload.CustomerId, payload.Cookie);
        await PlainText.Write(context.Response, StatusCodes.Status501NotImplemented, "No license issuer is configured.");
    }
}
