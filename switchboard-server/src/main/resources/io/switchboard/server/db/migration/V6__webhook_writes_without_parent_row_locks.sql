-- Every foreign key check of an event, receipt or batch row took a KEY SHARE lock on its organization's and its
-- source's row. Ingestion and processing transactions overlap all the time, so those few hot rows were locked by
-- several transactions at once, and PostgreSQL created a new MultiXact for each new locker (measured: about 16,000
-- multixact members a second on one organization row under a pgbench of the two transactions), which costs CPU,
-- SLRU traffic and, in time, anti-wraparound vacuums of the parent tables.
--
-- The same integrity without the locks: ingestion inserts an event or a receipt only for a source that exists and
-- belongs to the event's organization (its INSERT joins webhook_sources; a row that fails the join is not written
-- and the batch falls back to one event per transaction, where it fails alone); a batch row's organization is
-- that of the events it lists. Sources are never deleted (they are disabled), which the trigger below enforces,
-- and an organization with sources cannot be deleted (webhook_sources keeps its foreign key).
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_org_id_fkey;
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_source_id_fkey;
ALTER TABLE webhook_receipts DROP CONSTRAINT webhook_receipts_org_id_fkey;
ALTER TABLE webhook_receipts DROP CONSTRAINT webhook_receipts_source_id_fkey;
ALTER TABLE webhook_batches DROP CONSTRAINT webhook_batches_org_id_fkey;

CREATE FUNCTION webhook_sources_are_kept() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'webhook source % cannot be deleted: its events and receipts refer to it; disable it instead', OLD.id
        USING ERRCODE = 'foreign_key_violation';
END
$$;
CREATE TRIGGER webhook_sources_are_kept BEFORE DELETE ON webhook_sources
    FOR EACH ROW EXECUTE FUNCTION webhook_sources_are_kept();
