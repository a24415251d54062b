using System.Security.Cryptography;

namespace Orleans.Tokens.Grains;

/// <summary>The account checks of a mint, in the contract's order (section 3, step 4).</summary>
internal static class MintRules
{
    public static Change<MintResult> Decide(CustomerState account, MintRequest request, DateOnly today)
    {
        if (!Authenticated(account, request)) return Refuse(ErrorCode.InvalidAuthenticator);
        if (!account.Enabled) return Refuse(ErrorCode.AccountDisabled);
        if (request.Drm == Drm.Widevine && !account.Options.Widevine) return Refuse(ErrorCode.WidevineDisabled);
        if (request.Drm == Drm.PlayReady && !account.Options.PlayReady) return Refuse(ErrorCode.PlayReadyDisabled);
        if (request.Drm == Drm.FairPlay && !account.Options.FairPlay) return Refuse(ErrorCode.FairPlayDisabled);
        // The stored key of each key the request did not give; a key it gave is not echoed back (null).
        var contentKeys = new List<byte[]?>();
        foreach (var key in request.Keys)
        {
            if (key.ContentKey is not null)
            {
                contentKeys.Add(null);
                continue;
            }
            if (account.Keys.GetValueOrDefault(Kid.ToHex(key.Kid)) is not { } stored) return Refuse(ErrorCode.KeyNotInStorage);
            contentKeys.Add(stored);
        }
        var balance = account.Balance(request.Environment);
        if (balance < 1) return Refuse(ErrorCode.InsufficientTokens);
        // One token, one debit, however many keys it carries (section 14).
        var debited = account.WithBalance(request.Environment, balance - 1)
            .CountMinted(request.Environment, request.Drm, today);
        return new(debited, new MintResult(ErrorCode.None, contentKeys[0], MoreContentKeys: contentKeys.Count > 1 ? [.. contentKeys.Skip(1)] : null));
    }

    /// <summary>Whether the request's authenticator is one of the account's (the first check of step 4).</summary>
    public static bool Authenticated(CustomerState account, MintRequest request) => account.Exists && Authenticates(account, request);

    private static Change<MintResult> Refuse(ErrorCode code) => Change<MintResult>.None(MintResult.Refused(code));

    /// <summary>Compares against every active authenticator of the environment, each in constant time.</summary>
    private static bool Authenticates(CustomerState account, MintRequest request)
    {
        var match = false;
        foreach (var authenticator in account.Authenticators)
        {
            match |= authenticator.Environment == request.Environment
                && CryptographicOperations.FixedTimeEquals(authenticator.SecretHash, request.SecretHash);
        }
        return match;
    }
}
