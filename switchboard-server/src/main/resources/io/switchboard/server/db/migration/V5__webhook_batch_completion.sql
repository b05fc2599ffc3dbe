-- Webhook batches complete with one row (docs/webhooks.md): a processing job that completes its events writes one
-- webhook_batches row per organization instead of rewriting every event row. Rewriting a ~1.5 kB event row (a new
-- row version and an entry in four indexes) cost PostgreSQL about as much as inserting it.
--
-- An event's status column is therefore what was last recorded for it: 'pending' until something else happens to
-- it; 'failed', 'dead_letter' (also for events whose job ended without them) and 'completed' (for an event recorded
-- failed before) are still written to the row, because those events are few and are found through its indexes. Its effective status, attempts, last error
-- and processing time are read from webhook_event_log, which adds a pending event's completed batch.

-- One row per (processing job, organization) whose pending events the job completed, written in the job's
-- completion transaction. events: exactly the events it completed (an event that named the job but was not seen
-- by it is not completed by this row); unhandled: those no handler was registered for ("no handler").
CREATE TABLE webhook_batches (
    job_id       bigint      NOT NULL,
    org_id       uuid        NOT NULL REFERENCES organizations (id),
    completed_at timestamptz NOT NULL DEFAULT now(),
    events       bigint[]    NOT NULL CHECK (cardinality(events) > 0),
    unhandled    bigint[]    NOT NULL DEFAULT '{}' CHECK (unhandled <@ events),
    PRIMARY KEY (job_id, org_id)
);
-- Retention: batches by age.
CREATE INDEX webhook_batches_completed ON webhook_batches (completed_at);
CALL make_tenant_owned(ARRAY['webhook_batches']);

-- A completed event now keeps 'pending' in its row, so an index of pending rows would hold every event: the open
-- events are found through their open jobs instead (webhook_open_jobs), and a job's events through all of job_id.
-- 'processing' is derived (V4) and no longer recorded; a row from before says pending, which its job still owns.
UPDATE webhook_events SET status = 'pending' WHERE status = 'processing';
DROP INDEX webhook_events_org_open;
DROP INDEX webhook_events_job;
CREATE INDEX webhook_events_job ON webhook_events (job_id);

-- A payload that is the body itself (the provider's payload is the parsed body and sanitizing changed nothing) is
-- not stored a second time: NULL, and read from the body (webhook_event_log).
ALTER TABLE webhook_events ALTER COLUMN payload DROP NOT NULL;

-- The ids of the processing jobs not finished yet (scheduled, available or running): their events are the open ones.
-- Like webhook_job_running (V4) it reads the engine's job table as its owner and answers ids only.
CREATE FUNCTION webhook_open_jobs() RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY SELECT id FROM switchboard.jobs
                 WHERE kind = 'webhook.process' AND state IN ('scheduled', 'available', 'running');
END
$$;
REVOKE ALL ON FUNCTION webhook_open_jobs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_open_jobs() TO switchboard_tenant;

-- Every event as the delivery log shows it. Runs with the caller's rights (security_invoker), so row-level security
-- still shows a tenant only its own events and batches. recorded_status is the row's own column (indexed for
-- failed and dead_letter); status is effective: completed when a completed batch lists the event's pending row,
-- processing while an open event's job runs.
CREATE VIEW webhook_event_log WITH (security_invoker = true) AS
SELECT e.id, e.org_id, e.source_id, e.provider, e.dedupe_key, e.event_type, e.occurred_at, e.received_at,
       e.headers, e.body, coalesce(e.payload, convert_from(e.body, 'UTF8')::jsonb) AS payload, e.job_id,
       CASE WHEN b.job_id IS NOT NULL THEN 'completed'
            WHEN e.status IN ('pending', 'failed') AND webhook_job_running(e.job_id) THEN 'processing'
            ELSE e.status END AS status,
       e.status AS recorded_status,
       CASE WHEN b.job_id IS NOT NULL THEN e.attempts + 1 ELSE e.attempts END AS attempts,
       CASE WHEN b.job_id IS NULL THEN e.last_error WHEN e.id = ANY (b.unhandled) THEN 'no handler' END AS last_error,
       coalesce(b.completed_at, e.processed_at) AS processed_at
FROM webhook_events e
LEFT JOIN webhook_batches b
       ON e.status = 'pending' AND b.job_id = e.job_id AND b.org_id = e.org_id AND e.id = ANY (b.events);
GRANT SELECT ON webhook_event_log TO switchboard_tenant;
