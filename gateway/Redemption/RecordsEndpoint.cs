using System.Globalization;
using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Minting;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// <c>GET /hms/records</c> (contract section 8): a customer's redemption records, newest first, as
/// <c>{"records":[{"time","tokenId","drm","kid","cookie","outcome","address"}, …]}</c> (time in RFC 3339, UTC).
/// <c>customerAuthenticator</c> as on a mint (missing -2017; malformed, unknown, revoked or of the other
/// environment -2018, counted against the client's failed authentications), and at most one of <c>cookie</c>,
/// <c>id</c> (a token id: 48 hex digits, or 32 for tokens minted before), each the newest
/// <see cref="RecordsQuery.MaxMatching"/> at most, or a page <c>start</c> (≥ 0, default 0) and <c>length</c> (1–200,
/// default 32); anything else, or two of them, is 400 -2035. Errors take <c>errorFormat</c> as the token API's do.
/// </summary>
internal sealed class RecordsEndpoint(CustomerGrains customers, GatewayOptions options, FailedAuthentications failedAuthentications, ILogger<RecordsEndpoint> logger)
{
    public async Task Handle(HttpContext context)
    {
        var parameters = await RequestParameters.Read(context.Request, context.RequestAborted);
        var format = parameters.ErrorFormat;
        var authenticator = parameters.All("customerAuthenticator");
        if (authenticator.Length == 0)
        {
            await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.MissingAuthenticator), format);
            return;
        }
        var address = context.Connection.RemoteIpAddress;
        if (authenticator.Length != 1 || !Authenticator.TryParse(authenticator[0], out var customerId, out var secretHash))
        {
            await Unauthenticated(context, address, format);
            return;
        }
        if (Query(parameters) is not { } query)
        {
            await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.NoMatchingValue, "cookie, id, start or length"), format);
            return;
        }
        if (failedAuthentications.Blocked(address, out var wait))
        {
            await ErrorResponse.TooManyRequests(context.Response, wait, format);
            return;
        }
        RecordsResult result;
        try
        {
            result = await customers.Get(customerId).FindRecords(new KeyAccess(options.Environment, secretHash), query);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            logger.LogWarning("Records of customer {CustomerId} could not be read: {Reason}", customerId, failure.GetType().Name);
            await ErrorResponse.Write(context.Response, TokenError.Unavailable, format);
            return;
        }
        if (!result.Authorized)
        {
            await Unauthenticated(context, address, format);
            return;
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(RedemptionRecord.ListJson(result.Records), context.RequestAborted);
    }

    private async Task Unauthenticated(HttpContext context, System.Net.IPAddress? address, ErrorFormat format)
    {
        failedAuthentications.Failed(address);
        await ErrorResponse.Write(context.Response, new TokenError(ErrorCode.InvalidAuthenticator, "customerAuthenticator"), format);
    }

    /// <summary>The query the parameters ask for, or null when they are malformed or ask for two things.</summary>
    private static RecordsQuery? Query(RequestParameters parameters)
    {
        var cookie = Single(parameters, "cookie");
        var id = Single(parameters, "id");
        var start = Single(parameters, "start");
        var length = Single(parameters, "length");
        if (cookie is { IsError: true } || id is { IsError: true } || start is { IsError: true } || length is { IsError: true }) return null;
        var given = (cookie is null ? 0 : 1) + (id is null ? 0 : 1) + (start is null && length is null ? 0 : 1);
        if (given > 1) return null;
        if (cookie is { Value: var text }) return new RecordsQuery(text, null, 0, RecordsQuery.MaxMatching);
        if (id is { Value: var tokenId })
            return TokenIds.IsTokenId(tokenId) ? new RecordsQuery(null, tokenId.ToLowerInvariant(), 0, RecordsQuery.MaxMatching) : null;
        var first = 0;
        var count = RecordsQuery.DefaultLength;
        if (start is { Value: var startText } && (!int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out first))) return null;
        if (length is { Value: var lengthText }
            && (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > RecordsQuery.MaxLength))
            return null;
        return new RecordsQuery(null, null, first, count);
    }

    /// <summary>A parameter given at most once: null when absent, an error (with no value) when given twice.</summary>
    private static (string Value, bool IsError)? Single(RequestParameters parameters, string name) =>
        parameters.All(name) switch
        {
            [] => null,
            [var value] => (value, false),
            _ => ("", true),
        };
}
