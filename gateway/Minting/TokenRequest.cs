using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>A mint request that passed every syntactic check of its DRM's tables.</summary>
internal sealed record TokenRequest(Drm Drm, ParsedValues Values)
{
    public ErrorFormat ErrorFormat => Values.FindValue<ErrorFormat>("errorFormat") ?? ErrorFormat.Html;

    public ParsedAuthenticator Authenticator => Values.Get<ParsedAuthenticator>("customerAuthenticator");

    public byte[] Kid => Values.Get<byte[]>("kid");

    /// <summary>The key given as <c>contentKey</c> or unwrapped from <c>ek</c>; null means key storage.</summary>
    public byte[]? ContentKey => Values.Find<byte[]>("contentKey") ?? Values.Find<byte[]>("ek");

    /// <summary><c>useHttps=true</c>: the answer names the https rights URL (section 14).</summary>
    public bool UseHttps => Values.FindValue<bool>("useHttps") ?? false;

    /// <summary>The idempotency key, unquoted, or null for a mint without one (section 11).</summary>
    public string? IdempotencyKey => Values.Find<string>(Validation.IdempotencyKey.Name);

    private static readonly Rule[] WidevineRules =
        [.. CommonParameters.Table, .. WidevineParameters.Table, new IdempotencyKey()];
    private static readonly Rule[] PlayReadyRules =
        [.. CommonParameters.Table, .. PlayReadyParameters.Table, new IdempotencyKey()];

    /// <summary>
    /// Runs the common table, then the DRM's, then the idempotency key, and stops at the first refusal (contract
    /// sections 3 and 11). A refusal before <c>errorFormat</c> parsed is rendered as html.
    /// </summary>
    public static (TokenRequest? Request, TokenError? Error, ErrorFormat Format) Validate(
        Drm drm, RequestParameters parameters, DateTimeOffset now)
    {
        var values = new ParsedValues(drm, now);
        foreach (var rule in drm == Drm.Widevine ? WidevineRules : PlayReadyRules)
        {
            if (rule.Check(parameters, values) is { } error)
                return (null, error, values.FindValue<ErrorFormat>("errorFormat") ?? ErrorFormat.Html);
        }
        var request = new TokenRequest(drm, values);
        return (request, null, request.ErrorFormat);
    }
}
