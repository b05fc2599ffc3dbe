package io.switchboard.lock;

/** Every lease statement. Expiry is judged on database time only. */
final class LeaseSql {
    private LeaseSql() {
    }

    /**
     * Take the lease if it is free or expired. On takeover the token is drawn inside the row lock, so it is
     * larger than the token of every earlier holder of this lease.
     */
    static final String ACQUIRE = """
            INSERT INTO switchboard.leases AS l (name, holder, instance_id, fencing_token, acquired_at, renewed_at, expires_at)
            VALUES (?, ?, ?, nextval('switchboard.lease_fencing_tokens'), now(), now(), now() + ?::bigint * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE
            SET holder = excluded.holder, instance_id = excluded.instance_id,
                fencing_token = nextval('switchboard.lease_fencing_tokens'),
                acquired_at = now(), renewed_at = now(), expires_at = excluded.expires_at
            WHERE l.expires_at <= now()
            RETURNING fencing_token, acquired_at, expires_at
            """;

    static final String RENEW = """
            UPDATE switchboard.leases
            SET renewed_at = now(), expires_at = now() + ?::bigint * interval '1 millisecond'
            WHERE name = ? AND fencing_token = ? AND expires_at > now()
            RETURNING expires_at
            """;

    /** Release keeps the row (and its token) so that a later takeover always goes through the locked update. */
    static final String RELEASE = """
            UPDATE switchboard.leases
            SET expires_at = greatest(now(), acquired_at + ?::bigint * interval '1 millisecond')
            WHERE name = ? AND fencing_token = ? AND expires_at > now()
            """;

    /** Locks the lease row for the rest of the caller's transaction if the token still holds it. */
    static final String GUARD = """
            SELECT 1 FROM switchboard.leases
            WHERE name = ? AND fencing_token = ? AND expires_at > now()
            FOR SHARE
            """;

    static final String FIND = """
            SELECT name, holder, instance_id, fencing_token, acquired_at, renewed_at, expires_at, expires_at > now()
            FROM switchboard.leases WHERE name = ?
            """;

    static final String LIST_HELD = """
            SELECT name, holder, instance_id, fencing_token, acquired_at, renewed_at, expires_at, true
            FROM switchboard.leases WHERE expires_at > now() ORDER BY name
            """;

    /** Rows long expired (an hour: far beyond any statement in flight) go; their tokens are never reused. */
    static final String CLEANUP = """
            DELETE FROM switchboard.leases WHERE expires_at < now() - interval '1 hour'
            """;
}
