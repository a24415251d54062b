using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>A mint request that passed every syntactic check of its DRM's tables.</summary>
internal sealed record TokenRequest(Drm Drm, ParsedValues Values)
{
    public ErrorFormat ErrorFormat => Values.FindValue(CommonParameters.ErrorFormat) ?? ErrorFormat.Html;

    public ParsedAuthenticator Authenticator => Values.Get(CommonParameters.CustomerAuthenticator);

    /// <summary>
    /// The token's keys, 1–16 (section 14): a plain request's <c>kid</c> with the key given as <c>contentKey</c> or
    /// unwrapped from <c>ek</c>, or an indexed request's <c>kid.N</c> with <c>contentKey.N</c>. A null content key
    /// means the one in key storage.
    /// </summary>
    public MintKey[] Keys => Values.IsIndexed
        ? [.. Enumerable.Range(0, Values.KeyCount).Select(index => new MintKey(
            Values.Find(CommonParameters.Kid, index)!, Values.Find(CommonParameters.ContentKey, index)))]
        : [new MintKey(Values.Find(CommonParameters.Kid) ?? [], Values.Find(CommonParameters.ContentKey) ?? Values.Find(CommonParameters.Ek))];

    /// <summary><c>useHttps=true</c>: the answer names the https rights URL (section 14).</summary>
    public bool UseHttps => Values.FindValue(CommonParameters.UseHttps) ?? false;

    /// <summary><c>singleUse=true</c>: the token yields one license (section 8).</summary>
    public bool SingleUse => Values.FindValue(CommonParameters.SingleUse) ?? false;

    /// <summary>The idempotency key, unquoted, or null for a mint without one (section 11).</summary>
    public string? IdempotencyKey => Values.Find(Validation.IdempotencyKey.Key);

    private static readonly Rule[] WidevineRules =
        [.. CommonParameters.Table, .. WidevineParameters.Table, new IdempotencyKey()];
    private static readonly Rule[] PlayReadyRules =
        [.. CommonParameters.Table, .. PlayReadyParameters.Table, new IdempotencyKey()];
    private static readonly Rule[] FairPlayRules = [.. FairPlayParameters.Table, new IdempotencyKey()];

    /// <summary>
    /// Runs the common table, then the DRM's, then the idempotency key, and stops at the first refusal (contract
    /// sections 3 and 11). A refusal before <c>errorFormat</c> parsed is rendered as html.
    /// </summary>
    public static (TokenRequest? Request, TokenError? Error, ErrorFormat Format) Validate(
        Drm drm, RequestParameters parameters, DateTimeOffset now)
    {
        var values = new ParsedValues(drm, now);
        // Clear Key takes the Widevine parameters (section 8).
        var rules = drm switch { Drm.Widevine or Drm.ClearKey => WidevineRules, Drm.PlayReady => PlayReadyRules, _ => FairPlayRules };
        foreach (var rule in rules)
        {
            if (rule.Check(parameters, values) is { } error)
                return (null, error with { Drm = drm }, values.FindValue(CommonParameters.ErrorFormat) ?? ErrorFormat.Html);
        }
        var request = new TokenRequest(drm, values);
        return (request, null, request.ErrorFormat);
    }
}
