using System.Diagnostics;
using System.Text.Json;
using Orleans.Tokens.Gateway.Metrics;
using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// <c>/hms/wv/token</c>, <c>/hms/pr/token</c> and <c>/hms/fp/token</c>: validate completely, then one grain call that authenticates,
/// checks and debits, then seal the token and answer.
/// </summary>
/// <remarks>
/// Tokens are issued at <see cref="ClockKey"/>'s time (the system clock unless a test registers one). A keyed mint
/// (section 11) sends its key and the digests of its parameters with the grain call; a replay's token id and issue
/// time come back from the grain's record.
/// </remarks>
internal sealed class TokenEndpoint(
    CustomerMints mints,
    TokenKeyRing keys,
    GatewayOptions options,
    [FromKeyedServices(TokenEndpoint.ClockKey)] TimeProvider clock,
    GatewayMetrics metrics,
    FailedAuthentications failedAuthentications,
    ILogger<TokenEndpoint> logger)
{
    /// <summary>The key of the clock that dates token issue.</summary>
    public const string ClockKey = "issue";

    /// <summary>Answers one mint request and counts it: tokens_requests_total, tokens_request_duration_seconds, tokens_minted_total.</summary>
    public async Task Handle(HttpContext context, Drm drm)
    {
        var started = Stopwatch.GetTimestamp();
        var code = ErrorCode.LicenseGenerationFailed;
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            code = await Answer(context, drm);
            status = context.Response.StatusCode;
        }
        finally
        {
            // An exception that escapes is answered 500 with -7008 by the exception handler.
            metrics.Request(drm, status, code, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The answer's code: <see cref="ErrorCode.None"/> for a token.</summary>
    private async Task<ErrorCode> Answer(HttpContext context, Drm drm)
    {
        var parameters = await RequestParameters.Read(context.Request, context.RequestAborted);
        var (request, error, format) = TokenRequest.Validate(drm, parameters, clock.GetUtcNow());
        var address = context.Connection.RemoteIpAddress;
        if (request is null)
        {
            if (error!.Code == ErrorCode.InvalidAuthenticator) failedAuthentications.Failed(address);
            await ErrorResponse.Write(context.Response, error, format);
            return error.Code;
        }
        if (failedAuthentications.Blocked(address, out var wait))
        {
            await ErrorResponse.TooManyRequests(context.Response, wait, format);
            return ErrorCode.TooManyRequests;
        }

        MintResult result;
        MintRequest mint;
        try
        {
            var mintKeys = request.Keys;
            var idempotency = request.IdempotencyKey is null ? null : RequestFingerprint.For(request, mintKeys, options.Environment, parameters);
            mint = new MintRequest(options.Environment, request.Authenticator.SecretHash, drm, mintKeys[0].Kid, mintKeys[0].ContentKey, idempotency,
                mintKeys.Length > 1 ? mintKeys[1..] : null,
                Kek: drm == Drm.FairPlay && mintKeys[0].ContentKey is null ? request.Values.Find(CommonParameters.Kek) : null);
            result = await mints.Mint(request.Authenticator.CustomerId, mint, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: nobody to answer. Its debit was withdrawn unless its write was already under way.
            context.Response.StatusCode = StatusClientClosedRequest;
            return ErrorCode.None;
        }
        catch (Exception exception)
        {
            var failure = Outcome(exception);
            logger.LogWarning("Mint for customer {CustomerId} failed ({Code}): {Reason}{Where}",
                request.Authenticator.CustomerId, (int)failure.Code, exception.GetType().Name, Where(exception));
            await ErrorResponse.Write(context.Response, failure, format);
            return failure.Code;
        }
        if (result.Code == ErrorCode.TooManyRequests)
        {
            await ErrorResponse.TooManyRequests(context.Response, result.RetryAfter ?? TimeSpan.Zero, format);
            return result.Code;
        }
        if (result.Code != ErrorCode.None)
        {
            if (result.Code == ErrorCode.InvalidAuthenticator) failedAuthentications.Failed(address);
            // Of the account refusals only -2018 takes details; they name the parameter, as a malformed one's do.
            await ErrorResponse.Write(context.Response, new TokenError(result.Code, "customerAuthenticator"), format);
            return result.Code;
        }

        // The debit is durable: the token counts as minted even if sealing or the answer fails after this. A replay
        // debited nothing: its token is the first one's, its policy derived again from the same parameters as of
        // the first issue time.
        if (!result.Replayed) metrics.Minted(drm, options.Environment, request.Authenticator.CustomerId);
        if (result.IssuedAt is { } issuedAt && issuedAt != request.Values.IssuedAt)
            request = TokenRequest.Validate(drm, parameters, issuedAt).Request ?? throw new InvalidOperationException("a replayed request no longer validates");
        var token = keys.Seal(TokenPolicy.Payload(request, options.Environment, result.ContentKeysFor(mint), result.TokenId));
        metrics.Sealed(keys.ActiveKeyId);
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        // Widevine and FairPlay answer the rights URL itself (section 2), PlayReady JSON.
        if (drm != Drm.PlayReady)
        {
            response.ContentType = "text/uri-list";
            await response.WriteAsync($"{options.RightsUrl(drm, request.UseHttps)}?ExpressPlayToken={token}");
        }
        else
        {
            response.ContentType = "application/json";
            await response.WriteAsync(JsonSerializer.Serialize(new PlayReadyAnswer(options.RightsUrl(drm, request.UseHttps), token), GatewayJson.Default.PlayReadyAnswer));
        }
        return ErrorCode.None;
    }

    /// <summary>The status counted for a request whose client left before its answer (nginx's 499).</summary>
    public const int StatusClientClosedRequest = 499;

    /// <summary>
    /// For a failure none of the service's own outcome exceptions explains, where it was thrown: the stack's frames
    /// (types and methods, never a message, which could hold a request's values; but an invalid cast's, which names
    /// two types: Orleans says so when a call's answer is not of the type the call returns), so that a rare fault can
    /// be found.
    /// </summary>
    private static string Where(Exception failure)
    {
        for (var cause = failure; cause is not null; cause = cause.InnerException)
        {
            if (cause is OutcomeUnknownException or SiloUnavailableException or StorageUnavailableException
                or OrleansMessageRejectionException or TimeoutException) return "";
        }
        var frames = new System.Diagnostics.StackTrace(failure, fNeedFileInfo: false).GetFrames()
            .Select(frame => frame.GetMethod() is { } method ? $"{method.DeclaringType?.FullName}.{method.Name}" : "?");
        return (failure is InvalidCastException ? $" ({failure.Message})" : "") + " at " + string.Join(" < ", frames);
    }

    /// <summary>
    /// Section 11: -2030 only where nothing was debited: the grain said so (also from inside Orleans' wrapping, as
    /// when an activation could not read its state), or the message never reached it; anything else (a timed-out
    /// call, a silo that died, a write that could not be settled) is -9001. A silo that died is
    /// <see cref="SiloUnavailableException"/>, a rejection by type, but Orleans also breaks with it the calls it had
    /// already delivered to that silo, whose debits may be durable: it is -9001.
    /// </summary>
    internal static TokenError Outcome(Exception failure)
    {
        for (var cause = failure; cause is not null; cause = cause.InnerException)
        {
            if (cause is OutcomeUnknownException or SiloUnavailableException) return TokenError.OutcomeUnknown;
            if (cause is StorageUnavailableException or OrleansMessageRejectionException) return TokenError.Unavailable;
        }
        return TokenError.OutcomeUnknown;
    }
}

internal sealed record PlayReadyAnswer(string LicenseAcquisitionUrl, string Token);
