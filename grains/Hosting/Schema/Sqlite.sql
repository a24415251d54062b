-- The embedded default's schema, written for this project. Safe to run on every start.
-- Grain state: one row per (service, state name, grain id), with the version that optimistic writes check.

PRAGMA journal_mode = WAL;

CREATE TABLE IF NOT EXISTS GrainState
(
    ServiceId  TEXT    NOT NULL,
    StateName  TEXT    NOT NULL,
    GrainId    TEXT    NOT NULL,
    Version    INTEGER NOT NULL,
    Payload    BLOB    NULL,
    ModifiedOn TEXT    NOT NULL,
    PRIMARY KEY (ServiceId, StateName, GrainId)
) WITHOUT ROWID;

-- A grain's own rows (idempotency records, journal entries), written in the same transaction as its state row
-- so that the state row stays the same size however many there are. Times are Unix milliseconds; a row whose
-- ExpiresAtMs passed is deleted by a later write of the same grain that asks for it (customer grains: at most once
-- an hour per activation).
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
