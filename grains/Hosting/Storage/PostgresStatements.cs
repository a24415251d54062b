namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// The SQL of <see cref="PostgresStateDatabase"/>'s writes and reads. A write of states is one statement over arrays:
/// parameter 1 is the service id, then the states' arrays (update: state name, grain id, expected version, payload;
/// insert: state name, grain id, payload), then seven arrays of the rows that go in <c>GrainRow</c> (state name, grain
/// id, kind, key, payload, creation, expiry), four of the rows it deletes, and, when the write has rows for the log
/// (<see cref="GrainLog"/>), seven arrays of those, the position of the row each follows (<see cref="LogLinks"/>),
/// and, per state, the position of its last. Rows go in only with their state row (a failed version check writes
/// none of them).
/// </summary>
internal static class PostgresStatements
{
    /// <summary>
    /// The most log rows one write statement holds: a statement's rows take the ids <c>base + 1</c>… with
    /// <c>base</c> one value of the sequence <c>GrainLogIds</c> times this.
    /// </summary>
    public const int MaxLoggedRows = 1 << 20;

    /// <summary>The statement that writes states, by whether they update, have logged rows and upsert the table's rows.</summary>
    public static string Write(bool update, bool logged, bool upserting) =>
        Writes[(update ? 4 : 0) + (logged ? 2 : 0) + (upserting ? 1 : 0)];

    private static readonly string[] Writes =
    [
        .. from update in (bool[])[false, true]
           from logged in (bool[])[false, true]
           from upserting in (bool[])[false, true]
           select Compose(update, logged, upserting),
    ];

    private static string Compose(bool update, bool logged, bool upserting)
    {
        var rows = update ? 6 : 5;
        var log = rows + 11;
        return (logged ? $"WITH base AS (SELECT nextval('GrainLogIds') * {MaxLoggedRows} AS Id)," : "WITH")
            + (update ? Update(logged ? log + 8 : null) : Insert(logged ? log + 8 : null))
            + Appended(rows, upserting ? Replacing : "")
            + (logged ? "," + LogAppended(log) : "")
            + "\nSELECT StateName, GrainId, Version FROM written";
    }

    // A state's LogHead becomes its last row's id; the old LogHead, as this statement's snapshot holds it, is what
    // its first row follows: a state row changed since has another version, so the version check fails and none of
    // its rows go in. The old row is joined by its tuple id, the one the update finds.
    private static string Update(int? lastRow) => lastRow is null
        ? """

        written AS (
            UPDATE GrainState AS g
            SET Payload = w.Payload, Version = g.Version + 1, ModifiedOn = now()
            FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bytea[]) AS w(StateName, GrainId, Version, Payload)
            WHERE g.ServiceId = $1 AND g.StateName = w.StateName AND g.GrainId = w.GrainId AND g.Version = w.Version
            RETURNING g.StateName, g.GrainId, g.Version),

        """
        : $"""

        written AS (
            UPDATE GrainState AS g
            SET Payload = w.Payload, Version = g.Version + 1, ModifiedOn = now(),
                LogHead = CASE WHEN w.LastRow > 0 THEN base.Id + w.LastRow ELSE g.LogHead END
            FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bytea[], ${lastRow}::int[]) AS w(StateName, GrainId, Version, Payload, LastRow)
            JOIN GrainState AS old ON old.ServiceId = $1 AND old.StateName = w.StateName AND old.GrainId = w.GrainId
            CROSS JOIN base
            WHERE g.ctid = old.ctid AND g.Version = w.Version
            RETURNING g.StateName, g.GrainId, g.Version, old.LogHead AS PreviousHead),

        """;

    private static string Insert(int? lastRow) => lastRow is null
        ? """

        written AS (
            INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn)
            SELECT $1, w.StateName, w.GrainId, 1, w.Payload, now()
            FROM unnest($2::text[], $3::text[], $4::bytea[]) AS w(StateName, GrainId, Payload)
            ON CONFLICT DO NOTHING
            RETURNING StateName, GrainId, Version),

        """
        : $"""

        written AS (
            INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn, LogHead)
            SELECT $1, w.StateName, w.GrainId, 1, w.Payload, now(), CASE WHEN w.LastRow > 0 THEN base.Id + w.LastRow END
            FROM unnest($2::text[], $3::text[], $4::bytea[], ${lastRow}::int[]) AS w(StateName, GrainId, Payload, LastRow)
            CROSS JOIN base
            ON CONFLICT DO NOTHING
            RETURNING StateName, GrainId, Version, NULL::bigint AS PreviousHead),

        """;

    // The log's rows from parameter {0} on (seven arrays, then the position of the row each follows), each the id
    // base + its position (1…), linked to the row before it of its state row or, for the first, to the old LogHead.
    private static string LogAppended(int first) => $"""

        logAppended AS (
            INSERT INTO GrainLog (Id, PreviousId, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            SELECT base.Id + r.Position, CASE WHEN r.Follows > 0 THEN base.Id + r.Follows ELSE written.PreviousHead END,
                   r.GrainId, r.Kind, r.RowKey, r.Payload, r.CreatedAtMs, r.ExpiresAtMs
            FROM unnest(${first}::text[], ${first + 1}::text[], ${first + 2}::text[], ${first + 3}::text[], ${first + 4}::bytea[], ${first + 5}::bigint[], ${first + 6}::bigint[], ${first + 7}::int[])
                WITH ORDINALITY AS r(StateName, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs, Follows, Position)
            JOIN written ON written.StateName = r.StateName AND written.GrainId = r.GrainId
            CROSS JOIN base)
        """;

    /// <summary>
    /// The links of a write's log rows: for each row (<paramref name="rowStates"/>: the index of its state, rows in
    /// statement order) the position (1…) of the row it follows in the same state, 0 for a state's first; and for each
    /// of <paramref name="stateCount"/> states the position of its last row, 0 for none.
    /// </summary>
    /// <exception cref="StorageUnavailableException">More than <see cref="MaxLoggedRows"/> − 1 rows (nothing is sent).</exception>
    public static (int[] Follows, int[] LastRows) LogLinks(int stateCount, IReadOnlyList<int> rowStates)
    {
        if (rowStates.Count >= MaxLoggedRows) throw new StorageUnavailableException($"more than {MaxLoggedRows - 1} logged rows in one write");
        var last = new int[stateCount];
        var follows = new int[rowStates.Count];
        for (var i = 0; i < rowStates.Count; i++)
        {
            follows[i] = last[rowStates[i]];
            last[rowStates[i]] = i + 1;
        }
        return (follows, last);
    }

    // The table's rows of the states written, and those they delete, from parameter {0} on (seven arrays, then four).
    // A write holds at most one row of a kind and key, so no row is both inserted and deleted.
    private static string Appended(int first, string conflict) => $"""
        appended AS (
            INSERT INTO GrainRow (ServiceId, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            SELECT $1, r.GrainId, r.Kind, r.RowKey, r.Payload, r.CreatedAtMs, r.ExpiresAtMs
            FROM unnest(${first}::text[], ${first + 1}::text[], ${first + 2}::text[], ${first + 3}::text[], ${first + 4}::bytea[], ${first + 5}::bigint[], ${first + 6}::bigint[])
                AS r(StateName, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            JOIN written ON written.StateName = r.StateName AND written.GrainId = r.GrainId
            {conflict}),
        removed AS (
            DELETE FROM GrainRow AS g
            USING unnest(${first + 7}::text[], ${first + 8}::text[], ${first + 9}::text[], ${first + 10}::text[]) AS d(StateName, GrainId, Kind, RowKey)
            JOIN written ON written.StateName = d.StateName AND written.GrainId = d.GrainId
            WHERE g.ServiceId = $1 AND g.GrainId = d.GrainId AND g.Kind = d.Kind AND g.RowKey = d.RowKey)
        """;

    private const string Replacing = """
        ON CONFLICT (ServiceId, GrainId, Kind, RowKey) DO UPDATE
            SET Payload = excluded.Payload, CreatedAtMs = excluded.CreatedAtMs, ExpiresAtMs = excluded.ExpiresAtMs
        """;

    // Runs first in a write's transaction: each grain that asks for it deletes its table rows that expired before the
    // time it names (a range read of the grain's rows by the primary key's prefix). Expired rows may go even when
    // the grain's state is not written.
    public const string Purge = """
        DELETE FROM GrainRow AS g
        USING unnest($2::text[], $3::bigint[]) AS p(GrainId, BeforeMs)
        WHERE g.ServiceId = $1 AND g.GrainId = p.GrainId AND g.ExpiresAtMs < p.BeforeMs
        """;

    // The log's oldest rows up to the first that is still live at $1: always a prefix, so no chain has a gap. One
    // purge at a time (a transaction-scoped advisory lock, not waited for): two would delete the same rows.
    public static readonly string PurgeLog = $"""
        DELETE FROM GrainLog WHERE pg_try_advisory_xact_lock({PurgeLock}) AND Id IN (
            SELECT Id FROM GrainLog
            WHERE Id < coalesce((SELECT Id FROM GrainLog WHERE ExpiresAtMs >= $1 ORDER BY Id LIMIT 1), 9223372036854775807)
            ORDER BY Id LIMIT {GrainLog.PurgeAtMost})
        """;

    // Names the advisory lock of the log's purge (ASCII "LogPurge").
    private const long PurgeLock = 0x4c6f_6750_7572_6765;

    // A grain's rows of $3 ($1 service, $2 grain), from the table and along its log chains (one per state row), newest
    // first by n.
    private const string GrainRows = """
        WITH RECURSIVE chain(Id) AS (
            SELECT LogHead FROM GrainState WHERE ServiceId = $1 AND GrainId = $2 AND LogHead IS NOT NULL
            UNION ALL
            SELECT l.PreviousId FROM chain JOIN GrainLog AS l ON l.Id = chain.Id WHERE l.PreviousId IS NOT NULL),
        found AS (
            SELECT RowKey, Payload, CreatedAtMs, ExpiresAtMs FROM GrainRow WHERE ServiceId = $1 AND GrainId = $2 AND Kind = $3
            UNION ALL
            SELECT l.RowKey, l.Payload, l.CreatedAtMs, l.ExpiresAtMs FROM chain JOIN GrainLog AS l ON l.Id = chain.Id
            WHERE l.Kind = $3),
        newest AS (
            SELECT RowKey, Payload, ExpiresAtMs, row_number() OVER (PARTITION BY RowKey ORDER BY CreatedAtMs DESC) AS n
            FROM found)
        """;

    /// <summary>The payloads of a grain's rows of a kind ($1 service, $2 grain, $3 kind), newest of each key, by key.</summary>
    public const string Rows = GrainRows + "SELECT Payload FROM newest WHERE n = 1 ORDER BY RowKey COLLATE \"C\"";

    /// <summary>The keys and expiries of a grain's rows of a kind ($1 service, $2 grain, $3 kind), newest of each key.</summary>
    public const string Keys = GrainRows + "SELECT RowKey, ExpiresAtMs FROM newest WHERE n = 1";

    /// <summary>
    /// One row of a grain ($1 service, $2 grain, $3 kind, $4 key): the newest of the table's and the first found along
    /// its log chains, whose walk stops there (a recent row costs a few steps, not the whole chain).
    /// </summary>
    public const string Row = """
        WITH RECURSIVE chain(Id, Hit, Payload, CreatedAtMs) AS (
            SELECT LogHead, false, NULL::bytea, NULL::bigint
            FROM GrainState WHERE ServiceId = $1 AND GrainId = $2 AND LogHead IS NOT NULL
            UNION ALL
            SELECT l.PreviousId, l.Kind = $3 AND l.RowKey = $4, l.Payload, l.CreatedAtMs
            FROM chain JOIN GrainLog AS l ON l.Id = chain.Id WHERE NOT chain.Hit)
        SELECT Payload FROM (
            SELECT Payload, CreatedAtMs FROM chain WHERE Hit
            UNION ALL
            SELECT Payload, CreatedAtMs FROM GrainRow WHERE ServiceId = $1 AND GrainId = $2 AND Kind = $3 AND RowKey = $4) AS found
        ORDER BY CreatedAtMs DESC LIMIT 1
        """;
}
