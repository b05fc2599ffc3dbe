-- The durable job queue. State machine: docs/job-states.md. Every state change is one statement in JobSql.java.
CREATE TABLE jobs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue            text        NOT NULL CHECK (queue <> '' AND length(queue) <= 100),
    kind             text        NOT NULL CHECK (kind <> '' AND length(kind) <= 200),
    args             jsonb       NOT NULL,
    state            text        NOT NULL CHECK (state IN ('scheduled', 'available', 'running', 'completed', 'cancelled', 'dead')),
    priority         smallint    NOT NULL DEFAULT 0,
    run_at           timestamptz NOT NULL DEFAULT now(),
    attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts     integer     NOT NULL CHECK (max_attempts >= 1),
    unique_key       text CHECK (unique_key IS NULL OR (unique_key <> '' AND length(unique_key) <= 500)),
    worker_id        text,
    lease_expires_at timestamptz,
    cancel_requested boolean     NOT NULL DEFAULT false,
    errors           jsonb       NOT NULL DEFAULT '[]',
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempted_at     timestamptz,
    finished_at      timestamptz
);

-- The small "ready" working set that workers claim from: only available jobs are in it.
CREATE INDEX jobs_ready ON jobs (queue, priority DESC, run_at, id) WHERE state = 'available';
-- Delayed jobs and retries waiting for their time; promoted to available when due.
CREATE INDEX jobs_scheduled ON jobs (run_at) WHERE state = 'scheduled';
-- Running jobs by lease expiry: the rescuer finds jobs of dead workers here.
CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE state = 'running';
-- Unique jobs: one unfinished job per (kind, unique_key).
CREATE UNIQUE INDEX jobs_unique_unfinished ON jobs (kind, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running');
-- Finished jobs by age, for retention pruning and the dead-letter list.
CREATE INDEX jobs_finished ON jobs (state, finished_at) WHERE state IN ('completed', 'cancelled', 'dead');
