-- A job holds a lease exactly while it runs. Batched statements on running attempts (completions, heartbeats,
-- release) test "lease_expires_at IS NOT NULL" instead of "state = 'running'", so the planner drives them
-- through the primary key rather than scanning every running job (and its dead index entries) per batch.
ALTER TABLE jobs ADD CONSTRAINT jobs_lease_iff_running CHECK ((state = 'running') = (lease_expires_at IS NOT NULL));
