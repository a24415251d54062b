namespace Orleans.Tokens.Grains;

/// <summary>
/// Account administration (signed admin commands, section 9): enabling, DRM options, the mint rate limit and
/// authenticators; each a change of the account state through the group commit.
/// </summary>
public sealed partial class CustomerGrain
{
    public Task<CustomerView> SetEnabled(bool enabled) =>
        Change(account => enabled
            ? account with { Enabled = true }
            : account with { Enabled = false, DisabledAt = account.Enabled ? clock.GetUtcNow() : account.DisabledAt });

    public Task<CustomerView> SetOptions(bool? widevine, bool? playReady, bool? fairPlay = null) =>
        Change(account => account with
        {
            Options = new CustomerOptions(
                widevine ?? account.Options.Widevine, playReady ?? account.Options.PlayReady, fairPlay ?? account.Options.FairPlay),
        });

    public Task<CustomerView> SetMintRateLimit(int? maxMintsPerSecond)
    {
        if (maxMintsPerSecond < 1) throw new AccountException("a mint rate limit must be at least 1 a second");
        return Change(account => account with { MaxMintsPerSecond = maxMintsPerSecond });
    }

    public Task<IssuedAuthenticator> AddAuthenticator(TokenEnvironment environment) =>
        Commit.Submit(account =>
        {
            Existing(account);
            var (issued, stored) = NewAuthenticator(environment, DateTimeOffset.UtcNow);
            return new Change<IssuedAuthenticator>(account with { Authenticators = account.Authenticators.Add(stored) }, issued);
        });

    public Task RevokeAuthenticator(string authenticatorId) =>
        Commit.Submit(account =>
        {
            var found = Existing(account).Authenticators.Find(a => a.Id == authenticatorId)
                ?? throw new AccountException($"customer {CustomerId} has no authenticator {authenticatorId}");
            var now = clock.GetUtcNow();
            return new Change<bool>(account with
            {
                Authenticators = account.Authenticators.Remove(found),
                // Its tokens are refused from now on; once none of them can still be valid, it need not be kept.
                RevokedAuthenticators = account.RevokedAuthenticators
                    .RemoveAll(revoked => now - revoked.RevokedAt > Grains.Redemptions.LongestTokenLife)
                    .Add(new RevokedAuthenticator(Authenticator.Tag(found.SecretHash), now)),
            }, true);
        });
}
