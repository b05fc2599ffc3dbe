-- Tenancy: organizations, their users and API keys. Every tenant-owned row is visible to the tenant role
-- (switchboard_tenant) only while switchboard.org_id names its organization; see docs/tenancy.md.

-- A NOLOGIN role that cannot bypass RLS. Roles are cluster-wide: another database (or a concurrent migration)
-- may already have created it. Creating it needs CREATEROLE; otherwise a DBA creates it beforehand.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'switchboard_tenant') THEN
        CREATE ROLE switchboard_tenant NOLOGIN NOBYPASSRLS NOINHERIT;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- The login user switches to the tenant role per transaction: set_config('role', 'switchboard_tenant', true).
GRANT switchboard_tenant TO CURRENT_USER;

GRANT USAGE ON SCHEMA app TO switchboard_tenant;

CREATE TABLE organizations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid        NOT NULL REFERENCES organizations (id),
    email      text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role       text        NOT NULL CHECK (role IN ('org-admin', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, email)
);

-- org_id NULL: a platform-admin key. The full key is never stored: only its SHA-256 and its public prefix.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid REFERENCES organizations (id),
    prefix       text        NOT NULL UNIQUE,
    key_hash     bytea       NOT NULL CHECK (length(key_hash) = 32),
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scopes       text[]      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id, created_at);

GRANT SELECT ON organizations TO switchboard_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, api_keys TO switchboard_tenant;

-- NULLIF: once set in a session, an unset custom setting reads as '' rather than NULL; both mean "no tenant".
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations TO switchboard_tenant
    USING (id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid)
    WITH CHECK (id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users TO switchboard_tenant
    USING (org_id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid)
    WITH CHECK (org_id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys TO switchboard_tenant
    USING (org_id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid)
    WITH CHECK (org_id = NULLIF(current_setting('switchboard.org_id', true), '')::uuid);

-- The login user (which ran this migration and owns the tables) runs the few platform paths: creating
-- organizations, the API-key lookup at authentication, the bootstrap key. FORCE would otherwise hide every row
-- from it too. The tenant role is not a member of the login user, so this policy never applies to tenant work.
CREATE POLICY platform ON organizations TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY platform ON users TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY platform ON api_keys TO CURRENT_USER USING (true) WITH CHECK (true);
