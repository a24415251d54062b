using System.Security.Cryptography;

namespace Orleans.Tokens.Grains;

/// <summary>
/// The customer's key storage (contract section 12; <see cref="ContentKeys"/>): stored keys are rows of their own,
/// sealed, read on demand. Changes of one KID run one at a time, so that the count of keys the state keeps stays
/// exact; changes of different KIDs share writes.
/// </summary>
public sealed partial class CustomerGrain
{
    public Task PutKey(byte[] kid, byte[] contentKey)
    {
        Existing(Commit.Current);
        if (kid.Length != 16 || contentKey.Length != 16) throw new AccountException("KID and key are 16 bytes each");
        return ChangingKey(kid, async () =>
        {
            var current = await Keys.Find(kid);
            if (!await StoreKey(kid, current, new KeyFields(contentKey)))
                throw new AccountException($"key storage full: customer {CustomerId} holds {keyStorage.MaxKeysPerCustomer} keys");
            return true;
        });
    }

    public async Task<byte[]?> GetKey(byte[] kid)
    {
        Existing(Commit.Durable);
        return await Keys.Find(kid) is { } stored ? Keys.ContentKey(stored) : null;
    }

    public Task<bool> DeleteKey(byte[] kid)
    {
        Existing(Commit.Current);
        return ChangingKey(kid, async () => await Keys.Find(kid) is not null && await RemoveKey(kid));
    }

    public async Task<ImmutableArray<string>> ListKeys()
    {
        Existing(Commit.Durable);
        return [.. (await rows.Keys(this.GetGrainId(), StoredKey.Kind)).Keys.Order(StringComparer.Ordinal)];
    }

    public Task<KeyStoreResult> CreateStoredKey(KeyAccess access, byte[]? kid, KeyFields fields) =>
        Authorized(access, () => ChangingKey(kid ??= RandomNumberGenerator.GetBytes(16), async () =>
        {
            if (await Keys.Find(kid) is { } current) return new KeyStoreResult(KeyStoreStatus.Ok, Keys.View(current));
            return await StoreKey(kid, null, fields)
                ? new KeyStoreResult(KeyStoreStatus.Created, Keys.View((await Keys.Find(kid))!))
                : new KeyStoreResult(KeyStoreStatus.Full);
        }));

    public Task<KeyStoreResult> FindStoredKey(KeyAccess access, byte[] kid) =>
        Authorized(access, async () => await Keys.Find(kid) is { } stored
            ? new KeyStoreResult(KeyStoreStatus.Ok, Keys.View(stored))
            : new KeyStoreResult(KeyStoreStatus.NotFound));

    public Task<KeyStoreResult> ListStoredKeys(KeyAccess access) =>
        Authorized(access, async () => new KeyStoreResult(KeyStoreStatus.Ok,
            Keys: [.. (await Keys.List()).OrderBy(stored => Kid.ToHex(stored.Kid), StringComparer.Ordinal).Select(Keys.View)]));

    public Task<KeyStoreResult> UpdateStoredKey(KeyAccess access, byte[] kid, KeyFields fields) =>
        Authorized(access, () => ChangingKey(kid, async () =>
        {
            if (await Keys.Find(kid) is not { } current) return new KeyStoreResult(KeyStoreStatus.NotFound);
            await StoreKey(kid, current, fields);
            return new KeyStoreResult(KeyStoreStatus.Ok, Keys.View((await Keys.Find(kid))!));
        }));

    public Task<KeyStoreResult> DeleteStoredKey(KeyAccess access, byte[] kid) =>
        Authorized(access, () => ChangingKey(kid, async () =>
            new KeyStoreResult(await Keys.Find(kid) is not null && await RemoveKey(kid) ? KeyStoreStatus.Ok : KeyStoreStatus.NotFound)));

    public Task<KeyStoreResult> CountStoredKeys(KeyAccess access) =>
        Authorized(access, () => Task.FromResult(new KeyStoreResult(KeyStoreStatus.Ok, Count: Commit.Durable.KeyCount)));

    /// <summary>Runs <paramref name="call"/> for a caller with one of the customer's authenticators; 401 for any other.</summary>
    private Task<KeyStoreResult> Authorized(KeyAccess access, Func<Task<KeyStoreResult>> call)
    {
        if (MintRules.Authenticated(Commit.Current, access.Environment, access.SecretHash)) return call();
        if (!Commit.Current.Exists) Unknown();
        return Task.FromResult(new KeyStoreResult(KeyStoreStatus.Unauthorized));
    }

    /// <summary>
    /// One change of a KID at a time: each reads whether the KID is stored, then writes the count with it, so two
    /// creates of one KID count it once. Changes of other KIDs run meanwhile and share the group commit's writes.
    /// </summary>
    private async Task<T> ChangingKey<T>(byte[] kid, Func<Task<T>> change)
    {
        var hex = Kid.ToHex(kid);
        while (_keyChanges.TryGetValue(hex, out var running))
        {
            try
            {
                await running;
            }
            catch
            {
                // That change's caller has its failure; this one goes on.
            }
        }
        var changing = change();
        _keyChanges[hex] = changing;
        try
        {
            return await changing;
        }
        finally
        {
            if (_keyChanges.TryGetValue(hex, out var last) && last == changing) _keyChanges.Remove(hex);
        }
    }

    /// <summary>
    /// Stores <paramref name="fields"/> over <paramref name="current"/> (null: a new key, counted); false, writing
    /// nothing, when a new key would pass the most a customer may hold.
    /// </summary>
    private async Task<bool> StoreKey(byte[] kid, StoredKey? current, KeyFields fields)
    {
        var stored = Keys.Seal(kid, current, fields, clock.GetUtcNow());
        var written = await Commit.Submit(account =>
        {
            if (current is not null) return new Change<bool>(account, true, [ContentKeys.Row(stored)]);
            if (account.KeyCount >= keyStorage.MaxKeysPerCustomer) return Change<bool>.None(false);
            return new Change<bool>(account with { KeyCount = account.KeyCount + 1 }, true, [ContentKeys.Row(stored)]);
        });
        if (written) Keys.Written(kid, stored);
        return written;
    }

    private async Task<bool> RemoveKey(byte[] kid)
    {
        await Commit.Submit(account => new Change<bool>(account with { KeyCount = account.KeyCount - 1 }, true,
            [GrainRow.Deleted(StoredKey.Kind, Kid.ToHex(kid), clock.GetUtcNow())]));
        Keys.Written(kid, null);
        return true;
    }
}
