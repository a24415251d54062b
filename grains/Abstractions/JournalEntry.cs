namespace Orleans.Tokens;

/// <summary>
/// One change of a balance other than a mint (contract section 11, credits): the opening balance at create, or a
/// credit. Kept append-only in <see cref="GrainRow"/>s of kind <see cref="Kind"/> (key: the entry's number, so
/// that the keys sort in order), written in the same transaction as the balance they change.
/// </summary>
/// <param name="Time">When it was decided, by the customer grain's clock.</param>
/// <param name="Change"><see cref="Opening"/> or <see cref="Credit"/>.</param>
/// <param name="Amount">Tokens added (for an opening entry, the opening balance, possibly 0).</param>
/// <param name="Balance">The environment's balance after it.</param>
/// <param name="Reference">The operator's reference of a credit (unique per customer), or null.</param>
/// <param name="Actor">Who asked: the admin tool's user and host.</param>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.JournalEntry")]
public sealed record JournalEntry(
    [property: Id(0)] DateTimeOffset Time,
    [property: Id(1)] string Change,
    [property: Id(2)] TokenEnvironment Environment,
    [property: Id(3)] long Amount,
    [property: Id(4)] long Balance,
    [property: Id(5)] string? Reference,
    [property: Id(6)] string Actor)
{
    /// <summary>The <see cref="GrainRow.Kind"/> of journal entries.</summary>
    public const string Kind = "journal";

    /// <summary>The <see cref="GrainRow.Kind"/> of the rows that find a credit by its reference (value: the entry).</summary>
    public const string ReferenceKind = "credit-reference";

    public const string Opening = "opening";
    public const string Credit = "credit";

    /// <summary>The journal row of entry number <paramref name="number"/> (1 for the first).</summary>
    public GrainRow Row(long number) => new(Kind, number.ToString("D19", System.Globalization.CultureInfo.InvariantCulture), this, Time, null);
}

/// <summary>
/// The answer to a credit: its journal entry, and whether it was an earlier credit with the same reference
/// (<see cref="Repeated"/>: nothing changed this time).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.Credited")]
public sealed record Credited(
    [property: Id(0)] JournalEntry Entry,
    [property: Id(1)] bool Repeated);

/// <summary>One environment's totals: opening + credits − debits = balance (debits: the tokens minted).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.JournalTotals")]
public sealed record JournalTotals(
    [property: Id(0)] long Opening,
    [property: Id(1)] long Credits,
    [property: Id(2)] long Debits,
    [property: Id(3)] long Balance);

/// <summary>An account's journal, oldest entry first, and the totals of each environment (durable state only).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.JournalView")]
public sealed record JournalView(
    [property: Id(0)] ImmutableArray<JournalEntry> Entries,
    [property: Id(1)] JournalTotals Production,
    [property: Id(2)] JournalTotals Test);
