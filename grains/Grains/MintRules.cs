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
        var contentKey = request.ContentKey ?? account.Keys.GetValueOrDefault(Kid.ToHex(request.Kid));
        if (contentKey is null) return Refuse(ErrorCode.KeyNotInStorage);
        var balance = account.Balance(request.Environment);
        if (balance < 1) return Refuse(ErrorCode.InsufficientTokens);
        var debited = account.WithBalance(request.Environment, balance - 1)
            .CountMinted(request.Environment, request.Drm, today);
        return new(debited, new MintResult(ErrorCode.None, contentKey));
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
