-- Leases with fencing tokens, advisory-lock names, instance registry, schedules and their run history.

-- One global sequence: every new holder of any lease gets a larger token than every earlier holder, and
-- deleting expired lease rows can never make a token go backwards.
CREATE SEQUENCE lease_fencing_tokens;

CREATE TABLE leases (
    name          text PRIMARY KEY CHECK (name <> '' AND length(name) <= 200),
    holder        text        NOT NULL,
    instance_id   text        NOT NULL,
    fencing_token bigint      NOT NULL,
    acquired_at   timestamptz NOT NULL,
    renewed_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX leases_expiry ON leases (expires_at);

-- Names of transaction-scoped advisory locks get a key from this identity: collision-free, unlike hashing.
CREATE TABLE advisory_lock_keys (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace text NOT NULL CHECK (namespace <> '' AND length(namespace) <= 100),
    name      text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    UNIQUE (namespace, name)
);

CREATE TABLE instances (
    id           text PRIMARY KEY,
    hostname     text        NOT NULL,
    pid          bigint      NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at   timestamptz
);
CREATE INDEX instances_heartbeat ON instances (heartbeat_at);

CREATE TABLE schedules (
    name         text PRIMARY KEY CHECK (name <> '' AND length(name) <= 100),
    trigger      text        NOT NULL,
    next_slot_at timestamptz,
    paused       boolean     NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schedule_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule    text        NOT NULL,
    slot_at     timestamptz NOT NULL,
    manual      boolean     NOT NULL DEFAULT false,
    status      text        NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'dead', 'skipped', 'local')),
    job_id      bigint,
    fired_by    text        NOT NULL,
    instance_id text,
    attempt     integer     NOT NULL DEFAULT 0,
    fired_at    timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz,
    error       text
);
-- Exactly one run per slot of a schedule, whatever the number of instances: the database says no to a second.
CREATE UNIQUE INDEX schedule_runs_one_per_slot ON schedule_runs (schedule, slot_at) WHERE NOT manual;
CREATE INDEX schedule_runs_recent ON schedule_runs (schedule, slot_at DESC);
CREATE INDEX schedule_runs_unfinished ON schedule_runs (job_id) WHERE status IN ('pending', 'running');
-- Catch-up runs of schedules that must not overlap wait here (pending, no job yet) and start one at a time.
CREATE INDEX schedule_runs_backlog ON schedule_runs (schedule, slot_at) WHERE status = 'pending' AND job_id IS NULL;
CREATE INDEX schedule_runs_age ON schedule_runs (fired_at);
