-- Rate limiter state (GCRA): one row per (policy, client key) holding its theoretical arrival time (TAT).
-- A row whose TAT is not in the future is the same as no row at all: the key has its whole quota. Only an
-- admitted request writes; a denied request reads the row and changes nothing.
--
-- UNLOGGED: the state is not written to the WAL, so every admitted request is a cheap in-memory update whose
-- commit does not wait for a WAL flush. The price: after a crash of the database server (not a clean restart)
-- PostgreSQL empties the table, so every client gets its full quota once more; and the table is not copied to
-- streaming replicas, so after a failover the limits start afresh on the new primary. For a limiter that
-- protects capacity (not a billing quota), losing at most one window of history on a crash is acceptable.
-- Switching to a logged table, should a deployment need it: ALTER TABLE switchboard.rate_limits SET LOGGED.
CREATE UNLOGGED TABLE rate_limits (
    policy text        NOT NULL CHECK (policy <> '' AND length(policy) <= 64),
    key    text        NOT NULL CHECK (key <> '' AND length(key) <= 256),
    tat    timestamptz NOT NULL,
    PRIMARY KEY (policy, key)
) WITH (fillfactor = 70); -- room on each page so updates of the TAT (not indexed) stay HOT
