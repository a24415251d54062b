using System.Security.Cryptography;

namespace Orleans.Tokens.Grains;

/// <summary>The account checks of a mint, in the contract's order (section 3, step 4).</summary>
internal static class MintRules
{
    /// <summary>
    /// Decides a mint against <paramref name="account"/>. <paramref name="stored"/> holds, by the request's key order,
    /// what key storage gave each key the request did not give (no key where it gave one); null when the request gives
    /// every key.
    /// </summary>
    public static Change<MintResult> Decide(CustomerState account, MintRequest request, DateOnly today, IReadOnlyList<StoredContentKey>? stored)
    {
        if (!Authenticated(account, request)) return Refuse(ErrorCode.InvalidAuthenticator);
        if (!account.Enabled) return Refuse(ErrorCode.AccountDisabled);
        if (request.Drm == Drm.Widevine && !account.Options.Widevine) return Refuse(ErrorCode.WidevineDisabled);
        if (request.Drm == Drm.PlayReady && !account.Options.PlayReady) return Refuse(ErrorCode.PlayReadyDisabled);
        if (request.Drm == Drm.FairPlay && !account.Options.FairPlay) return Refuse(ErrorCode.FairPlayDisabled);
        // The stored key of each key the request did not give; a key it gave is not echoed back (null).
        var contentKeys = new List<byte[]?>();
        var index = 0;
        foreach (var key in request.Keys)
        {
            var fromStorage = stored?[index] ?? new StoredContentKey(null);
            index++;
            if (key.ContentKey is not null)
            {
                contentKeys.Add(null);
                continue;
            }
            if (fromStorage.Key is null) return Refuse(fromStorage.Refusal);
            contentKeys.Add(fromStorage.Key);
        }
        var balance = account.Balance(request.Environment);
        if (balance < 1) return Refuse(ErrorCode.InsufficientTokens);
        // One token, one debit, however many keys it carries (section 14).
        var debited = account.WithBalance(request.Environment, balance - 1)
            .CountMinted(request.Environment, request.Drm, today);
        return new(debited, new MintResult(ErrorCode.None, contentKeys[0], MoreContentKeys: contentKeys.Count > 1 ? [.. contentKeys.Skip(1)] : null));
    }

    /// <summary>Whether the request's authenticator is one of the account's (the first check of step 4).</summary>
    public static bool Authenticated(CustomerState account, MintRequest request) =>
        Authenticated(account, request.Environment, request.SecretHash);

    /// <summary>
    /// Whether the account exists and an authenticator of <paramref name="environment"/> has the secret whose SHA-256
    /// is <paramref name="secretHash"/>: compared against every one, each in constant time.
    /// </summary>
    public static bool Authenticated(CustomerState account, TokenEnvironment environment, byte[] secretHash)
    {
        var match = false;
        foreach (var authenticator in account.Authenticators)
        {
            match |= authenticator.Environment == environment
                && CryptographicOperations.FixedTimeEquals(authenticator.SecretHash, secretHash);
        }
        return account.Exists && match;
    }

    private static Change<MintResult> Refuse(ErrorCode code) => Change<MintResult>.None(MintResult.Refused(code));
}
