-- A cluster's schema on PostgreSQL, written for this project: Orleans' ADO.NET clustering, and the grain state
-- of the project's batching grain storage. Safe to run again on an existing database: tables are created when
-- missing, the statements always replaced. The clustering provider reads its statements from OrleansQuery by
-- key and binds them by parameter and column name.
--
-- Clustering (DeploymentId is the ClusterId):
--   parameters: @DeploymentId @Address @Port @Generation @SiloName @HostName @Status @ProxyPort
--               @StartTime @IAmAliveTime @SuspectTimes @Version
--   columns:    Address Port Generation SiloName HostName Status ProxyPort SuspectTimes StartTime
--               IAmAliveTime Version; a single boolean for the version-checked changes.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  text NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);

-- One row per cluster. Version is the membership table's etag: every change to a silo's row, except its
-- I-am-alive time, must name the version it read and bumps it, all in one statement.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersion
(
    DeploymentId text        NOT NULL PRIMARY KEY,
    Version      integer     NOT NULL DEFAULT 0,
    ModifiedOn   timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation: its address, port and generation.
CREATE TABLE IF NOT EXISTS OrleansMembership
(
    DeploymentId text        NOT NULL REFERENCES OrleansMembershipVersion ON DELETE CASCADE,
    Address      text        NOT NULL,
    Port         integer     NOT NULL,
    Generation   integer     NOT NULL,
    SiloName     text        NOT NULL,
    HostName     text        NOT NULL,
    Status       integer     NOT NULL,
    ProxyPort    integer     NOT NULL,
    SuspectTimes text        NULL,
    StartTime    timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Grain state, written by the project's batching grain storage (not through OrleansQuery): one row per
-- (service, state name, grain id), with the version that each row's optimistic write checks.
CREATE TABLE IF NOT EXISTS GrainState
(
    ServiceId  text        NOT NULL,
    StateName  text        NOT NULL,
    GrainId    text        NOT NULL,
    Version    bigint      NOT NULL,
    Payload    bytea       NULL,
    ModifiedOn timestamptz NOT NULL,
    PRIMARY KEY (ServiceId, StateName, GrainId)
);

-- A grain's own rows (idempotency records, journal entries), written by the batching grain storage in the same
-- transaction as the grain's state row, so that the state row stays the same size however many there are.
-- Times are Unix milliseconds; a row whose ExpiresAtMs passed is deleted by a later write of the same grain that
-- asks for it (customer grains: at most once an hour per activation).
CREATE TABLE IF NOT EXISTS GrainRow
(
    ServiceId   text   NOT NULL,
    GrainId     text   NOT NULL,
    Kind        text   NOT NULL,
    RowKey      text   NOT NULL,
    Payload     bytea  NOT NULL,
    CreatedAtMs bigint NOT NULL,
    ExpiresAtMs bigint NULL,
    PRIMARY KEY (ServiceId, GrainId, Kind, RowKey)
);

-- A grain's rows that expire within a day and an hour (idempotency records: one per keyed mint), in the order
-- written (GrainLog in the batching storage's code): appended at the end of one B-tree, where rows in GrainRow cost
-- a descent of its four-column index each. Each row links to the one its state row wrote before it (PreviousId;
-- GrainState.LogHead is the last), and a grain's rows are read along that chain, found by GrainStateByGrain. Rows
-- are deleted from the oldest end only, up to the first that is still live, so a chain ends at the first row that
-- is gone; ids are a value of the sequence per write (times 2^20) plus the row's position in it, never handed out
-- twice. GrainId says whose row it is; nothing reads by it.
-- Databases made before the log keep the records already in GrainRow, read from there until they expire.
ALTER TABLE GrainState ADD COLUMN IF NOT EXISTS LogHead bigint NULL;

CREATE INDEX IF NOT EXISTS GrainStateByGrain ON GrainState (ServiceId, GrainId);

CREATE SEQUENCE IF NOT EXISTS GrainLogIds;

CREATE TABLE IF NOT EXISTS GrainLog
(
    Id          bigint NOT NULL PRIMARY KEY,
    PreviousId  bigint NULL,
    GrainId     text   NOT NULL,
    Kind        text   NOT NULL,
    RowKey      text   NOT NULL,
    Payload     bytea  NOT NULL,
    CreatedAtMs bigint NOT NULL,
    ExpiresAtMs bigint NOT NULL
);

-- Expired rows are found by a range read of the grain's rows, so no index of expiry (an earlier schema had one).
DROP INDEX IF EXISTS GrainRowExpiry;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Clients: the gateways of the active silos (@Status is Active).
('GatewaysQueryKey', $q$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembership
    WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

-- Reads return the version row even when no silo matches: the provider takes the etag from the first row.
('MembershipReadAllKey', $q$
    SELECT v.Version, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersion v
    LEFT JOIN OrleansMembership m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;
$q$),

('MembershipReadRowKey', $q$
    SELECT v.Version, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersion v
    LEFT JOIN OrleansMembership m ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;
$q$),

('InsertMembershipVersionKey', $q$
    WITH created AS (
        INSERT INTO OrleansMembershipVersion (DeploymentId) VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM created);
$q$),

-- The version is bumped only when the silo is new, so a refused insert leaves the table as it was.
('InsertMembershipKey', $q$
    WITH bumped AS (
        UPDATE OrleansMembershipVersion
        SET Version = Version + 1, ModifiedOn = now()
        WHERE DeploymentId = @DeploymentId AND Version = @Version
          AND NOT EXISTS (SELECT 1 FROM OrleansMembership
                          WHERE DeploymentId = @DeploymentId AND Address = @Address
                            AND Port = @Port AND Generation = @Generation)
        RETURNING DeploymentId),
    joined AS (
        INSERT INTO OrleansMembership
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
        SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
               @StartTime, @IAmAliveTime
        FROM bumped
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM joined);
$q$),

('UpdateMembershipKey', $q$
    WITH bumped AS (
        UPDATE OrleansMembershipVersion
        SET Version = Version + 1, ModifiedOn = now()
        WHERE DeploymentId = @DeploymentId AND Version = @Version
          AND EXISTS (SELECT 1 FROM OrleansMembership
                      WHERE DeploymentId = @DeploymentId AND Address = @Address
                        AND Port = @Port AND Generation = @Generation)
        RETURNING DeploymentId),
    changed AS (
        UPDATE OrleansMembership m
        SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
        FROM bumped
        WHERE m.DeploymentId = bumped.DeploymentId
          AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM changed);
$q$),

('UpdateIAmAlivetimeKey', $q$
    UPDATE OrleansMembership
    SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- The silos' rows go with the version row.
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM OrleansMembershipVersion WHERE DeploymentId = @DeploymentId;
$q$),

-- Silos that stopped reporting before @IAmAliveTime and are no longer active (3).
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM OrleansMembership
    WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
