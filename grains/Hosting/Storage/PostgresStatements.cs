namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// The SQL of <see cref="PostgresStateDatabase"/>'s writes and reads. A write of states is one statement over arrays:
/// parameter 1 is the service id, then the states' arrays (update: state name, grain id, expected version, payload;
/// insert: state name, grain id, payload), then seven arrays of the rows that go in <c>GrainRow</c> (state name, grain
/// id, kind, key, payload, creation, expiry), four of the rows it deletes, and, when the write has rows for the log
/// (<see cref="GrainLog"/>), six arrays of those (the position of each one's state, kind, key, payload, creation,
/// expiry) and, per state, whether it has any. Rows go in only with their state row (a failed version check writes
/// none of them).
/// <para>
/// A write's log rows go in one row of <c>GrainLogBatch</c>, as arrays: one row per statement rather than per
/// record, so a batch of keyed mints costs one heap tuple, one index entry and their WAL, not one of each per mint
/// (README, "Where records are kept": keyed against unkeyed on the local cluster went from 0.845 to 0.886). Its id is
/// a value of the sequence <c>GrainLogIds</c> times <see cref="PositionsPerBatch"/>; a state's <c>LogHead</c> is that
/// id plus the state's position (1…) in the statement, and the batch row keeps, per position, the head that state
/// had before (<c>Previous</c>). A chain is walked from head to head: a head names a row of the earlier
/// <c>GrainLog</c> (one record per row, written before 2026-12-01) by its id, or a batch row and a position in it.
/// </para>
/// </summary>
internal static class PostgresStatements
{
    /// <summary>
    /// The most states one write statement holds, and the step between the ids of <c>GrainLogBatch</c> rows: a
    /// state's log head is its batch row's id plus its position (1…).
    /// </summary>
    public const int PositionsPerBatch = 1 << 20;

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
        return (logged ? $"WITH base AS (SELECT nextval('GrainLogIds') * {PositionsPerBatch} AS Id)," : "WITH")
            + (update ? Update(logged ? log + 6 : null) : Insert(logged ? log + 6 : null))
            + Appended(rows, upserting ? Replacing : "")
            + (logged ? "," + LogAppended(log) : "")
            + "\nSELECT StateName, GrainId, Version FROM written";
    }

    // A logged state's LogHead becomes its batch row's id plus its position; the old LogHead, as this statement's
    // snapshot holds it, is what the batch row keeps for that position: a state row changed since has another
    // version, so the version check fails and none of its rows go in. The old row is joined by its tuple id, the one
    // the update finds.
    private static string Update(int? logged) => logged is null
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
                LogHead = CASE WHEN w.Logged THEN base.Id + w.Position ELSE g.LogHead END
            FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bytea[], ${logged}::bool[])
                WITH ORDINALITY AS w(StateName, GrainId, Version, Payload, Logged, Position)
            JOIN GrainState AS old ON old.ServiceId = $1 AND old.StateName = w.StateName AND old.GrainId = w.GrainId
            CROSS JOIN base
            WHERE g.ctid = old.ctid AND g.Version = w.Version
            RETURNING g.StateName, g.GrainId, g.Version, old.LogHead AS PreviousHead, w.Position::int AS Position),

        """;

    // A new state row has no head before; its position is read back from the head it gets (a multiple of
    // PositionsPerBatch plus the position), as an insert returns only the row's own columns.
    private static string Insert(int? logged) => logged is null
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
            SELECT $1, w.StateName, w.GrainId, 1, w.Payload, now(), CASE WHEN w.Logged THEN base.Id + w.Position END
            FROM unnest($2::text[], $3::text[], $4::bytea[], ${logged}::bool[])
                WITH ORDINALITY AS w(StateName, GrainId, Payload, Logged, Position)
            CROSS JOIN base
            ON CONFLICT DO NOTHING
            RETURNING StateName, GrainId, Version, NULL::bigint AS PreviousHead, (LogHead % {PositionsPerBatch})::int AS Position),

        """;

    // Per position of the statement's states (1…), the log head the state had before: null for one not written. The
    // fast branch, where every state was written, aggregates the written heads in order instead: this expression's
    // join there made keyed mints on the local cluster about 7 % slower (keyed/unkeyed 0.71 against 0.78, 12 pairs).
    private const string PreviousHeads = """
        ARRAY(SELECT w.PreviousHead FROM generate_series(1, cardinality($3::text[])) AS s(Position)
                         LEFT JOIN written AS w ON w.Position = s.Position ORDER BY s.Position)
        """;

    // The log's rows from parameter {0} on (six arrays: the position of each one's state, kind, key, payload,
    // creation, expiry; then, after the states' flags, the latest expiry), those of the states written, as one row of
    // GrainLogBatch: the arrays, the states' grain ids and, per position, the head the state had before. When every
    // state was written, the usual case, the arrays go in as they came; otherwise the rows of the states not written
    // are left out (their heads are null), aggregated in one order so that the arrays stay aligned (which order does
    // not matter: a write holds at most one row of a kind and key). Each branch runs only when its count holds.
    private static string LogAppended(int first) => $"""

        logAppended AS (
            INSERT INTO GrainLogBatch (Id, GrainIds, Previous, Entries, Kinds, RowKeys, Payloads, CreatedAtMs, ExpiresAtMs, LastExpiresAtMs)
            SELECT base.Id, $3::text[], (SELECT array_agg(w.PreviousHead ORDER BY w.Position) FROM written AS w),
                   ${first}::int[], ${first + 1}::text[], ${first + 2}::text[], ${first + 3}::bytea[], ${first + 4}::bigint[], ${first + 5}::bigint[],
                   ${first + 7}::bigint
            FROM base WHERE (SELECT count(*) FROM written) = cardinality($3::text[])
            UNION ALL
            SELECT base.Id, $3::text[], {PreviousHeads},
                   array_agg(r.Entry), array_agg(r.Kind), array_agg(r.RowKey), array_agg(r.Payload),
                   array_agg(r.CreatedAtMs), array_agg(r.ExpiresAtMs), max(r.ExpiresAtMs)
            FROM unnest(${first}::int[], ${first + 1}::text[], ${first + 2}::text[], ${first + 3}::bytea[], ${first + 4}::bigint[], ${first + 5}::bigint[])
                AS r(Entry, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            JOIN written ON written.Position = r.Entry
            CROSS JOIN base
            WHERE (SELECT count(*) FROM written) < cardinality($3::text[])
            GROUP BY base.Id)
        """;

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

    // The log's oldest rows up to the first that is still live at $1, in each of its two tables: always a prefix, so
    // no chain has a gap (a batch row is live while any of its rows is). One purge at a time (a transaction-scoped
    // advisory lock, not waited for; both statements run in one transaction, which holds it once taken): two would
    // delete the same rows.
    public static readonly string PurgeLog = Purging("GrainLog", "ExpiresAtMs");

    /// <summary>The purge of the log's batch rows, as <see cref="PurgeLog"/> for its earlier table.</summary>
    public static readonly string PurgeLogBatches = Purging("GrainLogBatch", "LastExpiresAtMs");

    private static string Purging(string table, string expires) => $"""
        DELETE FROM {table} WHERE pg_try_advisory_xact_lock({PurgeLock}) AND Id IN (
            SELECT Id FROM {table}
            WHERE Id < coalesce((SELECT Id FROM {table} WHERE {expires} >= $1 ORDER BY Id LIMIT 1), 9223372036854775807)
            ORDER BY Id LIMIT {GrainLog.PurgeAtMost})
        """;

    // Names the advisory lock of the log's purge (ASCII "LogPurge").
    private const long PurgeLock = 0x4c6f_6750_7572_6765;

    // The step from a log head (chain.Head) to the head before it: the earlier GrainLog row of that id, or the batch
    // row the head falls in, at the head's position.
    private static readonly string Step = $"""
        SELECT l.PreviousId FROM GrainLog AS l WHERE l.Id = chain.Head
                UNION ALL
                SELECT b.Previous[chain.Head % {PositionsPerBatch}] FROM GrainLogBatch AS b WHERE b.Id = chain.Head - chain.Head % {PositionsPerBatch}
        """;

    // A grain's rows of $3 ($1 service, $2 grain), from the table and along its log chains (one per state row), newest
    // first by n.
    private static readonly string GrainRows = $"""
        WITH RECURSIVE chain(Head) AS (
            SELECT LogHead FROM GrainState WHERE ServiceId = $1 AND GrainId = $2 AND LogHead IS NOT NULL
            UNION ALL
            SELECT step.Previous FROM chain CROSS JOIN LATERAL (
                {Step}) AS step(Previous)
            WHERE step.Previous IS NOT NULL),
        found AS (
            SELECT RowKey, Payload, CreatedAtMs, ExpiresAtMs FROM GrainRow WHERE ServiceId = $1 AND GrainId = $2 AND Kind = $3
            UNION ALL
            SELECT l.RowKey, l.Payload, l.CreatedAtMs, l.ExpiresAtMs FROM chain JOIN GrainLog AS l ON l.Id = chain.Head
            WHERE l.Kind = $3
            UNION ALL
            SELECT r.RowKey, r.Payload, r.CreatedAtMs, r.ExpiresAtMs
            FROM chain JOIN GrainLogBatch AS b ON b.Id = chain.Head - chain.Head % {PositionsPerBatch}
            CROSS JOIN LATERAL unnest(b.Entries, b.Kinds, b.RowKeys, b.Payloads, b.CreatedAtMs, b.ExpiresAtMs)
                AS r(Entry, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            WHERE r.Entry = chain.Head % {PositionsPerBatch} AND r.Kind = $3),
        newest AS (
            SELECT RowKey, Payload, ExpiresAtMs, row_number() OVER (PARTITION BY RowKey ORDER BY CreatedAtMs DESC) AS n
            FROM found)
        """;

    /// <summary>The payloads of a grain's rows of a kind ($1 service, $2 grain, $3 kind), newest of each key, by key.</summary>
    public static readonly string Rows = GrainRows + "SELECT Payload FROM newest WHERE n = 1 ORDER BY RowKey COLLATE \"C\"";

    /// <summary>The keys and expiries of a grain's rows of a kind ($1 service, $2 grain, $3 kind), newest of each key.</summary>
    public static readonly string Keys = GrainRows + "SELECT RowKey, ExpiresAtMs FROM newest WHERE n = 1";

    /// <summary>
    /// One row of a grain ($1 service, $2 grain, $3 kind, $4 key): the newest of the table's and the first found along
    /// its log chains, whose walk stops there (a recent row costs a few steps, not the whole chain). Each step carries
    /// the head before the one it read, and whether that one held the row.
    /// </summary>
    public static readonly string Row = $"""
        WITH RECURSIVE chain(Head, Hit, Payload, CreatedAtMs) AS (
            SELECT LogHead, false, NULL::bytea, NULL::bigint
            FROM GrainState WHERE ServiceId = $1 AND GrainId = $2 AND LogHead IS NOT NULL
            UNION ALL
            SELECT step.Previous, step.Hit, step.Payload, step.CreatedAtMs FROM chain CROSS JOIN LATERAL (
                SELECT l.PreviousId, l.Kind = $3 AND l.RowKey = $4, l.Payload, l.CreatedAtMs FROM GrainLog AS l WHERE l.Id = chain.Head
                UNION ALL
                SELECT b.Previous[chain.Head % {PositionsPerBatch}], r.Payload IS NOT NULL, r.Payload, r.CreatedAtMs
                FROM GrainLogBatch AS b LEFT JOIN LATERAL (
                    SELECT r.Payload, r.CreatedAtMs
                    FROM unnest(b.Entries, b.Kinds, b.RowKeys, b.Payloads, b.CreatedAtMs) AS r(Entry, Kind, RowKey, Payload, CreatedAtMs)
                    WHERE r.Entry = chain.Head % {PositionsPerBatch} AND r.Kind = $3 AND r.RowKey = $4 LIMIT 1) AS r ON true
                WHERE b.Id = chain.Head - chain.Head % {PositionsPerBatch}) AS step(Previous, Hit, Payload, CreatedAtMs)
            WHERE NOT chain.Hit AND chain.Head IS NOT NULL)
        SELECT Payload FROM (
            SELECT Payload, CreatedAtMs FROM chain WHERE Hit
            UNION ALL
            SELECT Payload, CreatedAtMs FROM GrainRow WHERE ServiceId = $1 AND GrainId = $2 AND Kind = $3 AND RowKey = $4) AS found
        ORDER BY CreatedAtMs DESC LIMIT 1
        """;
}
