package io.switchboard.idempotency;

/** Every idempotency-key statement. Lifetimes and leases are judged on database time only. */
final class IdempotencySql {
    private IdempotencySql() {
    }

    /**
     * The claim ({@link #claim}) as a statement of its own (auto-commit) whose commit does not wait for its WAL
     * flush: the {@code set_config(..., true)} lasts until the end of this one statement's transaction. A later
     * durable commit (the request's) flushes it first, so only a claim whose request changed nothing durably can be
     * lost.
     */
    static final String BEGIN_WITHOUT_FLUSH_WAIT = claim("""
            FROM (SELECT set_config('synchronous_commit', 'off', true) AS setting) async_commit
            WHERE async_commit.setting IS NOT NULL""");

    /** First key of the idempotency claims' advisory locks (two-int form), apart from {@code AdvisoryLocks}'. */
    static final int LOCK_SPACE = 0x5349; // "SI"

    /**
     * A live row (alias {@code k}) as {@code IdempotencyKeys} reads it: fingerprint, status, content type, headers,
     * body, creation time, and the in-flight lease left in milliseconds.
     */
    private static final String LIVE_COLUMNS = """
            k.fingerprint, k.status, k.content_type, k.headers::text, k.body, k.created_at,
                   greatest(0, ceil(extract(epoch FROM k.locked_until - now()) * 1000))::bigint""";

    /**
     * When a new holder ({@code excluded}) may take over an existing row ({@code k}): it expired (treated as absent),
     * or it is in flight for the same request and its lease lapsed (its request died).
     */
    private static final String TAKE_OVER = """
            k.expires_at <= now()
               OR (k.status IS NULL AND k.locked_until <= now() AND k.fingerprint = excluded.fingerprint)""";

    /** A row taken over after it expired starts a new lifetime; one taken over in flight keeps its own. */
    private static final String LIFETIME = """
            created_at = CASE WHEN k.expires_at <= now() THEN excluded.created_at ELSE k.created_at END,
                expires_at = CASE WHEN k.expires_at <= now() THEN excluded.expires_at ELSE k.expires_at END""";

    /**
     * The claim inside a caller's transaction: it writes nothing (the row is written with the response, by
     * {@link #STORE_IN_TRANSACTION}, and would stay invisible to others until the commit anyway). A transaction-scoped
     * advisory lock on the key stands for "in flight": the first column says whether this transaction holds it (if
     * not, another transaction is running a request with this key right now); then the live row, if any (as
     * {@link #FIND_LIVE}); last a new token when the lock is held. The lock's second key is a 32-bit hash of scope, a
     * newline (never in a key) and key, so two different keys in flight at the same moment may, very rarely, collide;
     * the later one is then answered as in flight and its retry proceeds. Parameters: scope and key for the lock,
     * scope and key for the row.
     */
    static final String BEGIN_IN_TRANSACTION = """
            SELECT g.held, %s,
                   CASE WHEN g.held THEN nextval('switchboard.idempotency_tokens') END
            FROM (SELECT pg_try_advisory_xact_lock(%d, hashtext(? || chr(10) || ?)) AS held) g
            LEFT JOIN switchboard.idempotency_keys k ON k.scope = ? AND k.key = ? AND k.expires_at > now()
            """.formatted(LIVE_COLUMNS, LOCK_SPACE);

    /**
     * Stores the response of a claim made inside the caller's transaction: inserts the completed row, or takes over a
     * row that expired, an in-flight row of the same request whose lease lapsed, or the holder's own in-flight row
     * (claimed outside a transaction with this token). Nothing if someone else's live row stands. Parameters: scope,
     * key, fingerprint, token, key lifetime in milliseconds, status, content type, headers, body.
     */
    static final String STORE_IN_TRANSACTION = storeCompleted("""
            VALUES (?, ?, ?, ?, now(), now() + ?::bigint * interval '1 millisecond', NULL, ?, ?, ?::jsonb, ?, now())""",
            "OR (k.status IS NULL AND k.token = excluded.token)");

    /**
     * Inserts a completed row from {@code rows} (VALUES or SELECT of scope, key, fingerprint, token, created at,
     * expires at, locked until, status, content type, headers, body, completed at), or takes over the row standing
     * under the key when it may be taken over ({@link #TAKE_OVER}) or {@code alsoTakeOver}.
     */
    private static String storeCompleted(String rows, String alsoTakeOver) {
        return """
            INSERT INTO switchboard.idempotency_keys AS k (scope, key, fingerprint, token, created_at, expires_at,
                                                           locked_until, status, content_type, headers, body, completed_at)
            %s
            ON CONFLICT (scope, key) DO UPDATE
            SET fingerprint = excluded.fingerprint, token = excluded.token, locked_until = NULL,
                %s,
                status = excluded.status, content_type = excluded.content_type, headers = excluded.headers,
                body = excluded.body, completed_at = now()
            WHERE %s
               %s
            """.formatted(rows, LIFETIME, TAKE_OVER, alsoTakeOver);
    }

    /**
     * Stores a response under a key nobody claimed beforehand, inside the caller's transaction: takes the key's
     * advisory lock (as {@link #BEGIN_IN_TRANSACTION}; not held means another transaction is in flight with the key),
     * then inserts the completed row or takes over a row as {@link #STORE_IN_TRANSACTION} does, except the holder's
     * own in-flight row (there is no holder). Returns whether the lock is held and the new token, null if a live row
     * stands. Parameters: scope and key for the lock, scope, key, fingerprint, key lifetime in milliseconds, status,
     * content type, headers, body.
     */
    static final String STORE_IF_ABSENT = storeIfAbsent("SELECT g.held, (SELECT token FROM stored) FROM g");

    /**
     * {@link #STORE_IF_ABSENT} and the COMMIT of the caller's transaction in one round trip: when the key is not
     * stored, {@code require_idempotency_key_stored} (V6) raises {@link #NOT_STORED}, so the COMMIT behind it does not
     * run and the transaction is left to be rolled back. Same parameters.
     */
    static final String STORE_AND_COMMIT = storeIfAbsent(
            "SELECT switchboard.require_idempotency_key_stored(g.held AND EXISTS (SELECT FROM stored)) FROM g") + ";\nCOMMIT";

    /** The key's lock ({@code g}) and the insert of its completed row ({@code stored}), answered by {@code result}. */
    private static String storeIfAbsent(String result) {
        return """
            WITH g AS (SELECT pg_try_advisory_xact_lock(%d, hashtext(? || chr(10) || ?)) AS held),
            stored AS (%s RETURNING token)
            %s
            """.formatted(LOCK_SPACE, storeCompleted("""
            SELECT ?, ?, ?, nextval('switchboard.idempotency_tokens'), now(),
                   now() + ?::bigint * interval '1 millisecond', NULL, ?, ?, ?::jsonb, ?, now()
            FROM g WHERE g.held""", ""), result);
    }

    /** SQLSTATE raised by {@link #STORE_AND_COMMIT} when the key was not stored. */
    static final String NOT_STORED = "SBK01";

    /**
     * Claims the key: inserts it in flight, or takes over a row that expired (treated as absent: a fresh key) or an
     * in-flight row of the same request whose lease lapsed (its request died; the key keeps its creation time).
     * Returns the new token, or nothing if someone else's live row stands. Parameters: scope, key, fingerprint,
     * key lifetime and in-flight lease in milliseconds; {@code from} is the row source's FROM and WHERE, which
     * decide whether the one row is inserted at all.
     */
    private static String claim(String from) {
        return """
            INSERT INTO switchboard.idempotency_keys AS k (scope, key, fingerprint, token, created_at, expires_at, locked_until)
            SELECT ?, ?, ?, nextval('switchboard.idempotency_tokens'), now(),
                   now() + ?::bigint * interval '1 millisecond', now() + ?::bigint * interval '1 millisecond'
            %s
            ON CONFLICT (scope, key) DO UPDATE
            SET fingerprint = excluded.fingerprint, token = excluded.token, locked_until = excluded.locked_until,
                %s,
                status = NULL, content_type = NULL, headers = NULL, body = NULL, completed_at = NULL
            WHERE %s
            RETURNING token
            """.formatted(from, LIFETIME, TAKE_OVER);
    }

    /** The live row that stopped a claim, with the lease time left in milliseconds. */
    static final String FIND_LIVE = """
            SELECT %s
            FROM switchboard.idempotency_keys k
            WHERE k.scope = ? AND k.key = ? AND k.expires_at > now()
            """.formatted(LIVE_COLUMNS);

    /** Stores the response, only for the token that holds the key in flight. */
    static final String COMPLETE = """
            UPDATE switchboard.idempotency_keys
            SET status = ?, content_type = ?, headers = ?::jsonb, body = ?, completed_at = now(), locked_until = NULL
            WHERE scope = ? AND key = ? AND token = ? AND status IS NULL AND expires_at > now()
            """;

    /** Forgets an in-flight key so that a retry runs the request again; only for the token that holds it. */
    static final String RELEASE = """
            DELETE FROM switchboard.idempotency_keys
            WHERE scope = ? AND key = ? AND token = ? AND status IS NULL
            """;

    /** One batch of expired keys, oldest first; rows locked by a concurrent takeover are left for the next run. */
    static final String REAP = """
            DELETE FROM switchboard.idempotency_keys
            WHERE (scope, key) IN (SELECT scope, key FROM switchboard.idempotency_keys
                                   WHERE expires_at <= now() ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)
            """;
}
