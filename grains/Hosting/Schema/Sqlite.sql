-- The embedded default's schema, written for this project. Safe to run on every start.
-- Grain state: one row per (service, state name, grain id), with the version that optimistic writes check, and
-- the last row that it appended to GrainLog (LogHead; files made before the log get the column from SqliteSchema).

PRAGMA journal_mode = WAL;

CREATE TABLE IF NOT EXISTS GrainState
(
    ServiceId  TEXT    NOT NULL,
    StateName  TEXT    NOT NULL,
    GrainId    TEXT    NOT NULL,
    Version    INTEGER NOT NULL,
    Payload    BLOB    NULL,
    ModifiedOn TEXT    NOT NULL,
    LogHead    INTEGER NULL,
    PRIMARY KEY (ServiceId, StateName, GrainId)
) WITHOUT ROWID;

-- Finds a grain's state rows, and so its log chains, by grain id alone. Written only when a state row is created.
CREATE INDEX IF NOT EXISTS GrainStateByGrain ON GrainState (ServiceId, GrainId);

-- A grain's own rows that never expire (journal entries, stored keys) or live longer than a day (redemption records,
-- used and revoked tokens), written in the same transaction as its state row so that the state row stays the same
-- size however many there are. Times are Unix milliseconds. A later write of the grain that asks for it deletes the
-- expired ones (files made before GrainLog also hold idempotency records here).
CREATE TABLE IF NOT EXISTS GrainRow
(
    ServiceId   TEXT    NOT NULL,
    GrainId     TEXT    NOT NULL,
    Kind        TEXT    NOT NULL,
    RowKey      TEXT    NOT NULL,
    Payload     BLOB    NOT NULL,
    CreatedAtMs INTEGER NOT NULL,
    ExpiresAtMs INTEGER NULL,
    PRIMARY KEY (ServiceId, GrainId, Kind, RowKey)
) WITHOUT ROWID;

-- Expired rows are found by a range read of the grain's rows, so no index of expiry (an earlier schema had one).
DROP INDEX IF EXISTS GrainRowExpiry;

-- A grain's rows that expire (idempotency records: one per keyed mint), in the order written: appended at the end
-- of one B-tree, a batch's rows share a page or two, where rows kept in grain order cost a page each. Each row
-- links to the one written before it by the same state row (PreviousId; GrainState.LogHead is the last), and a
-- grain's rows are read along that chain. Rows are deleted from the oldest end only, up to the first that is still
-- live, so a chain ends at the first row that is gone; AUTOINCREMENT never hands a deleted row's id out again.
CREATE TABLE IF NOT EXISTS GrainLog
(
    Id          INTEGER PRIMARY KEY AUTOINCREMENT,
    PreviousId  INTEGER NULL,
    Kind        TEXT    NOT NULL,
    RowKey      TEXT    NOT NULL,
    Payload     BLOB    NOT NULL,
    CreatedAtMs INTEGER NOT NULL,
    ExpiresAtMs INTEGER NOT NULL
);
