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
