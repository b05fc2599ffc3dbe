-- Webhook processing in batches (docs/webhooks.md): ingestion gives all events of one group commit one processing
-- job, which finds them through job_id; 'processing' is no longer written to the row but read from the job.

-- The open events of a job.
CREATE INDEX webhook_events_job ON webhook_events (job_id) WHERE status IN ('pending', 'processing', 'failed');

-- Whether the job that owns an event is running right now: an open event whose job runs shows as 'processing'.
-- The job table is the engine's and not the tenant role's, so this reads it as its owner and answers only
-- running or not for one job id. PL/pgSQL resolves the engine's table when called, so this schema may be migrated
-- before the engine's.
CREATE FUNCTION webhook_job_running(job bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN job IS NOT NULL AND EXISTS (SELECT 1 FROM switchboard.jobs WHERE id = job AND state = 'running');
END
$$;
REVOKE ALL ON FUNCTION webhook_job_running(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_job_running(bigint) TO switchboard_tenant;

-- Room on every page for the one update an event gets (completed): the new version then stays on its page, and
-- the WAL record carries only the changed tail of the row (status, attempts, times), not the raw body again.
ALTER TABLE webhook_events SET (fillfactor = 70);

-- A first copy's receipt is its event row (received_at); webhook_receipts keeps only the duplicates, one row each.
DELETE FROM webhook_receipts WHERE NOT duplicate;
ALTER TABLE webhook_receipts ADD CONSTRAINT webhook_receipts_duplicates_only CHECK (duplicate);
