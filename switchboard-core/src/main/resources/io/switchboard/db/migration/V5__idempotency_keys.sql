-- Idempotency keys: one row per (scope, key). While the first request runs the row is "in flight" (status NULL,
-- locked_until set); once it finished, the row holds the response that retries get back.

-- Every begin that may proceed draws a new token: a request whose in-flight record was taken over cannot
-- complete or release the record of its successor.
CREATE SEQUENCE idempotency_tokens;

CREATE TABLE idempotency_keys (
    scope        text        NOT NULL CHECK (scope <> '' AND length(scope) <= 200),
    key          text        NOT NULL CHECK (key <> '' AND length(key) <= 255),
    fingerprint  text        NOT NULL CHECK (fingerprint <> '' AND length(fingerprint) <= 512),
    token        bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    -- In flight: the request holding the key may run until then; afterwards a retry may take over.
    locked_until timestamptz,
    -- Completed: the stored response (2xx-4xx only).
    status       integer CHECK (status BETWEEN 200 AND 499),
    content_type text,
    headers      jsonb,
    body         bytea,
    completed_at timestamptz,
    PRIMARY KEY (scope, key),
    CHECK ((status IS NULL) = (locked_until IS NOT NULL))
);
-- The reaper deletes expired rows in batches, oldest first.
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
