using Orleans.Concurrency;

namespace Orleans.Tokens;

/// <summary>
/// One customer account, keyed by its customer id. Every change is durable before the call returns; views
/// (<see cref="Show"/>, keys, usage) show the durable state, never a change still being written.
/// Admin calls on an account that does not exist throw <see cref="AccountException"/>. Every method but those marked
/// <see cref="GatewayOperationAttribute"/> is an admin operation: a call that is not a signed admin command throws
/// <see cref="AdminCommandRefusedException"/>.
/// </summary>
[Alias("Orleans.Tokens.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Authenticates, checks the account and debits one token, in one call (contract section 3, step 4); answers once
    /// the debit is durable. Throws <see cref="StorageUnavailableException"/> when nothing was debited and
    /// <see cref="OutcomeUnknownException"/> when that cannot be known (section 11). Cancelled, and not debited, when
    /// <paramref name="cancellation"/> fires (the client is gone) before the debit's write is under way.
    /// </summary>
    [Alias("Mint"), GatewayOperation]
    Task<MintResult> Mint(MintRequest request, CancellationToken cancellation);

    /// <summary>
    /// Several mints of this customer in one call, decided in order, each as <see cref="Mint"/> decides it, with
    /// one outcome each in the same order, in one write (a gateway sends the mints that arrive while its previous
    /// call for the customer is under way). The stored keys they need are read first. None may carry an idempotency
    /// key (a keyed mint goes alone, by <see cref="Mint"/>): <see cref="ArgumentException"/>. The mint at index i of this <paramref name="batch"/> is withdrawn, and not debited,
    /// when <see cref="WithdrawMint"/> names it before its write is under way.
    /// </summary>
    [Alias("MintMany"), GatewayOperation]
    Task<ImmutableArray<MintOutcome>> MintMany(Guid batch, ImmutableArray<MintRequest> requests);

    /// <summary>
    /// Withdraws the mint at <paramref name="index"/> of <paramref name="batch"/> (its client is gone): as a
    /// cancelled <see cref="Mint"/>, not debited unless its write is already under way; nothing when it was answered.
    /// </summary>
    [Alias("WithdrawMint"), GatewayOperation, OneWay]
    Task WithdrawMint(Guid batch, int index);

    /// <summary>
    /// Starts the redemption of a verified token (contract section 8): refused <see cref="RedemptionRefusal.Revoked"/>
    /// when the account is disabled, or was disabled after the token was minted, when the authenticator that minted it
    /// was revoked after, or when the token was revoked; a single-use token already used, or held by a redemption in
    /// progress, is <see cref="RedemptionRefusal.AlreadyUsed"/>, and otherwise, when <paramref name="hold"/>, held for
    /// this one (until it ends, or for <c>Redemption:HoldSeconds</c> at most). Writes nothing. Without
    /// <paramref name="hold"/> it only checks (a rights URL with no issuer: section 8's 501 comes after verification).
    /// </summary>
    [Alias("StartRedemption"), GatewayOperation]
    Task<RedemptionStart> StartRedemption(RedemptionTicket ticket, bool hold);

    /// <summary>
    /// Ends a redemption that reached the license issuer: records it durably (dated by the grain's clock) and, when its license was issued and the
    /// token is single-use, uses the token up in the same write; answers once durable. A single-use token that
    /// another redemption used meanwhile is refused <see cref="RedemptionRefusal.AlreadyUsed"/> and nothing is
    /// written: its license must not be answered. Throws <see cref="StorageUnavailableException"/> when the
    /// record could not be written (no license may be answered either).
    /// </summary>
    [Alias("EndRedemption"), GatewayOperation]
    Task<RedemptionRefusal> EndRedemption(RedemptionTicket ticket, Guid hold, RedemptionRecord record);

    /// <summary><c>GET /hms/records</c> (section 8): the records <paramref name="query"/> names, for one of the customer's authenticators.</summary>
    [Alias("FindRecords"), GatewayOperation]
    Task<RecordsResult> FindRecords(KeyAccess access, RecordsQuery query);

    /// <summary><c>admin records</c> (section 8): the records <paramref name="query"/> names, newest first.</summary>
    [Alias("Records")]
    Task<ImmutableArray<RedemptionRecord>> Records(RecordsQuery query);

    /// <summary>
    /// <c>admin token revoke</c> (section 8): refuses the token at every later redemption, for as long as a token can
    /// live (30 days); answers false when it was revoked already.
    /// </summary>
    [Alias("RevokeToken")]
    Task<bool> RevokeToken(string tokenId);

    [Alias("Create")]
    Task<CustomerCreated> Create(CustomerOptions options, long productionBalance, long testBalance);

    [Alias("Show")]
    Task<CustomerView> Show();

    /// <summary>Adds <paramref name="tokens"/> (≥ 1) to the environment's balance, journalled; answers the new balance.</summary>
    [Alias("Credit")]
    Task<long> Credit(TokenEnvironment environment, long tokens);

    /// <summary>
    /// A credit with an operator reference (contract section 11): the first with <paramref name="reference"/> adds
    /// <paramref name="tokens"/> and journals it; a later one with the same reference changes nothing and answers
    /// the first one's entry (<see cref="Credited.Repeated"/>). While one with the reference is being decided, another
    /// is refused with <see cref="AccountException"/>.
    /// </summary>
    [Alias("CreditWithReference")]
    Task<Credited> Credit(TokenEnvironment environment, long tokens, string? reference, string actor);

    /// <summary>The journal of balance changes other than mints, and the totals per environment (section 11).</summary>
    [Alias("Journal")]
    Task<JournalView> Journal();

    [Alias("SetEnabled")]
    Task<CustomerView> SetEnabled(bool enabled);

    [Alias("SetOptions")]
    Task<CustomerView> SetOptions(bool? widevine, bool? playReady, bool? fairPlay = null);

    /// <summary>
    /// Limits the customer to <paramref name="maxMintsPerSecond"/> (≥ 1) mints a second over every gateway, or lifts
    /// the limit (null); past it a mint is refused with 429 -9010, nothing debited (section 11).
    /// </summary>
    [Alias("SetMintRateLimit")]
    Task<CustomerView> SetMintRateLimit(int? maxMintsPerSecond);

    [Alias("AddAuthenticator")]
    Task<IssuedAuthenticator> AddAuthenticator(TokenEnvironment environment);

    [Alias("RevokeAuthenticator")]
    Task RevokeAuthenticator(string authenticatorId);

    /// <summary>Stores <paramref name="contentKey"/> (16 bytes) under <paramref name="kid"/> (16 bytes), as <c>key put</c> (section 9).</summary>
    /// <exception cref="AccountException">The customer holds its most keys already (a new KID).</exception>
    [Alias("PutKey")]
    Task PutKey(byte[] kid, byte[] contentKey);

    /// <summary>The stored content key, or null (none, or held only wrapped under the customer's KEK).</summary>
    [Alias("GetKey")]
    Task<byte[]?> GetKey(byte[] kid);

    /// <summary>True when the key was there.</summary>
    [Alias("DeleteKey")]
    Task<bool> DeleteKey(byte[] kid);

    /// <summary>Tokens minted per UTC day from <paramref name="since"/> (all kept days when null), oldest first.</summary>
    [Alias("Usage")]
    Task<ImmutableArray<UsageDay>> Usage(DateOnly? since);

    /// <summary>The stored KIDs as 32 lower-case hex digits, sorted.</summary>
    [Alias("ListKeys")]
    Task<ImmutableArray<string>> ListKeys();

    /// <summary>
    /// SKM's create (contract section 12): stores a key of <paramref name="kid"/> (16 bytes; null: a random one) with
    /// <paramref name="fields"/> (no key: a random one) and answers <see cref="KeyStoreStatus.Created"/>; for a KID
    /// already stored, answers that key with <see cref="KeyStoreStatus.Ok"/> and changes nothing. Refused
    /// <see cref="KeyStoreStatus.Unauthorized"/> unless <paramref name="access"/> is one of the customer's
    /// authenticators, and <see cref="KeyStoreStatus.Full"/> past <c>KeyStorage:MaxKeysPerCustomer</c>.
    /// </summary>
    [Alias("CreateStoredKey"), GatewayOperation]
    Task<KeyStoreResult> CreateStoredKey(KeyAccess access, byte[]? kid, KeyFields fields);

    /// <summary>SKM's GET of one key: the key object, or <see cref="KeyStoreStatus.NotFound"/>.</summary>
    [Alias("FindStoredKey"), GatewayOperation]
    Task<KeyStoreResult> FindStoredKey(KeyAccess access, byte[] kid);

    /// <summary>SKM's list: every key object of the customer, by KID.</summary>
    [Alias("ListStoredKeys"), GatewayOperation]
    Task<KeyStoreResult> ListStoredKeys(KeyAccess access);

    /// <summary>SKM's PUT: the fields given replace the stored ones; the key object after, or <see cref="KeyStoreStatus.NotFound"/>.</summary>
    [Alias("UpdateStoredKey"), GatewayOperation]
    Task<KeyStoreResult> UpdateStoredKey(KeyAccess access, byte[] kid, KeyFields fields);

    /// <summary>SKM's DELETE: <see cref="KeyStoreStatus.Ok"/> once the key is gone, or <see cref="KeyStoreStatus.NotFound"/>.</summary>
    [Alias("DeleteStoredKey"), GatewayOperation]
    Task<KeyStoreResult> DeleteStoredKey(KeyAccess access, byte[] kid);

    /// <summary>SKM's key count, in <see cref="KeyStoreResult.Count"/>.</summary>
    [Alias("CountStoredKeys"), GatewayOperation]
    Task<KeyStoreResult> CountStoredKeys(KeyAccess access);
}
