-- Webhook processing (docs/webhooks.md): the out-of-order guard's entity versions and the calls that the shipped
-- Dialpad handler keeps. Both tenant-owned, under the same row-level security as V2.

-- The latest provider event time applied per entity: a handler applies an event only if it is newer than this
-- (one conditional upsert), so a late "connected" never overwrites a "hangup".
CREATE TABLE webhook_entity_versions (
    org_id     uuid        NOT NULL REFERENCES organizations (id),
    provider   text        NOT NULL,
    entity_key text        NOT NULL CHECK (length(entity_key) BETWEEN 1 AND 300),
    version_at timestamptz NOT NULL,
    event_id   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, provider, entity_key)
);

-- Dialpad calls as last reported: state is the state with the latest event_timestamp seen.
CREATE TABLE calls (
    org_id     uuid        NOT NULL REFERENCES organizations (id),
    call_id    text        NOT NULL CHECK (length(call_id) BETWEEN 1 AND 200),
    state      text        NOT NULL CHECK (length(state) BETWEEN 1 AND 100),
    direction  text,
    state_at   timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, call_id)
);

CALL make_tenant_owned(ARRAY['webhook_entity_versions', 'calls']);

-- Retention deletes receipts by event; the delivery log reads a job's errors by the event's job.
CREATE INDEX webhook_receipts_event ON webhook_receipts (event_id);
-- Health: pending/processing counts and the oldest pending event of an org.
CREATE INDEX webhook_events_org_open ON webhook_events (org_id, received_at) WHERE status IN ('pending', 'processing');
