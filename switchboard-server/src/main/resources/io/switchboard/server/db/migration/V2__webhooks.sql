-- Webhook inbox (docs/webhooks.md): a tenant's configured sources, every received event (raw and immutable),
-- every accepted request (receipts, duplicates included) and every refused one. All tenant-owned, all under
-- the same row-level security as the tenancy tables (V1).

CREATE TABLE webhook_sources (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid        NOT NULL REFERENCES organizations (id),
    provider    text        NOT NULL CHECK (provider ~ '^[a-z][a-z0-9-]{0,39}$'),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Provider options (e.g. the generic provider's header name); never secrets.
    options     jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
CREATE INDEX webhook_sources_org ON webhook_sources (org_id, created_at);

-- Several active secrets per source during a rotation. Stored encrypted (AES-256-GCM, nonce || ciphertext || tag)
-- with the server's key; only a short hint is kept in the clear to tell secrets apart.
CREATE TABLE webhook_source_secrets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid        NOT NULL REFERENCES organizations (id),
    source_id  uuid        NOT NULL REFERENCES webhook_sources (id) ON DELETE CASCADE,
    ciphertext bytea       NOT NULL CHECK (length(ciphertext) BETWEEN 29 AND 4096),
    hint       text        NOT NULL CHECK (length(hint) <= 8),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- An old secret kept during a rotation stops verifying after this.
    expires_at timestamptz
);
CREATE INDEX webhook_source_secrets_source ON webhook_source_secrets (source_id);

-- One row per distinct event (the first copy of a dedupe key wins). body is the raw request body, byte for byte;
-- payload a sanitized copy for handlers and views. status is kept by the processing job in the same transaction
-- as the handler's effects: pending -> processing -> completed, or failed (will retry) -> dead_letter.
CREATE TABLE webhook_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       uuid        NOT NULL REFERENCES organizations (id),
    source_id    uuid        NOT NULL REFERENCES webhook_sources (id),
    provider     text        NOT NULL,
    dedupe_key   text        NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 300),
    event_type   text        NOT NULL CHECK (length(event_type) BETWEEN 1 AND 200),
    occurred_at  timestamptz,
    received_at  timestamptz NOT NULL DEFAULT now(),
    headers      jsonb       NOT NULL,
    body         bytea       NOT NULL,
    payload      jsonb       NOT NULL,
    job_id       bigint,
    status       text        NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'dead_letter')),
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    processed_at timestamptz,
    UNIQUE (source_id, dedupe_key)
);
CREATE INDEX webhook_events_org_received ON webhook_events (org_id, received_at DESC);
CREATE INDEX webhook_events_org_status ON webhook_events (org_id, status, received_at DESC)
    WHERE status IN ('failed', 'dead_letter');
-- Retention: completed and dead-lettered events by age.
CREATE INDEX webhook_events_finished ON webhook_events (processed_at) WHERE status IN ('completed', 'dead_letter');

-- Every accepted request, duplicates included: the delivery log's "received" and "duplicates".
CREATE TABLE webhook_receipts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      uuid        NOT NULL REFERENCES organizations (id),
    source_id   uuid        NOT NULL REFERENCES webhook_sources (id),
    event_id    bigint      NOT NULL,
    duplicate   boolean     NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_receipts_org_received ON webhook_receipts (org_id, received_at);

-- Every refused request (bad signature, expired, malformed, too large, ...), without secrets or signatures.
CREATE TABLE webhook_rejections (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         uuid        NOT NULL REFERENCES organizations (id),
    source_id      uuid        NOT NULL REFERENCES webhook_sources (id),
    reason         text        NOT NULL CHECK (length(reason) <= 50),
    detail         text        NOT NULL CHECK (length(detail) <= 1000),
    remote_address text,
    received_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_rejections_org_received ON webhook_rejections (org_id, received_at);

-- Every tenant-owned table gets the same treatment, here and in later migrations: the tenant role may read and
-- write it; row-level security, forced, shows that role only the rows of the organization its transaction set;
-- the login user (which runs migrations and the few platform paths; see V1) keeps its own policy under FORCE.
CREATE PROCEDURE make_tenant_owned(tables text[]) LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO switchboard_tenant', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I TO switchboard_tenant
            USING (org_id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid)
            WITH CHECK (org_id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid)$p$, t);
        -- Ingestion finds a source by id before it knows the tenant, and the processing worker runs as the
        -- login user.
        EXECUTE format('CREATE POLICY platform ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$$;

CALL make_tenant_owned(ARRAY['webhook_sources', 'webhook_source_secrets', 'webhook_events', 'webhook_receipts',
                             'webhook_rejections']);
