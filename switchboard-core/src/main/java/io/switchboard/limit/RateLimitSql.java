package io.switchboard.limit;

/**
 * Every rate-limiter statement. Times are database time ({@code now()}, the statement's start in autocommit);
 * durations travel as whole microseconds, the resolution of {@code timestamptz}.
 *
 * <p>A decision is one statement: the first CTE reads the key's theoretical arrival time (TAT) without locking
 * it; the upsert runs only when that read admits the request, so a denied request writes and locks nothing. The
 * upsert's {@code ON CONFLICT ... DO UPDATE ... WHERE} re-checks on the locked, current row, so concurrent
 * requests that all read an old TAT cannot together take more than the quota: those the re-check refuses
 * update nothing and return no row.
 */
final class RateLimitSql {
    private RateLimitSql() {
    }

    /** Microseconds (a bigint) as an interval. */
    private static final String US = " * interval '1 microsecond'";

    /** An interval expression as whole microseconds. */
    private static String micros(String interval) {
        return "(extract(epoch FROM " + interval + ") * 1000000)::bigint";
    }

    /**
     * One policy, one key. Parameters: policy, key (read); policy, key, inc, inc, burst (insert); inc, inc, burst
     * (re-check). Returns one row: how far the TAT seen was ahead of now, and how far the new TAT is ahead of now
     * (null when nothing was taken).
     */
    static final String ACQUIRE = """
            WITH seen AS (
                SELECT greatest((SELECT tat FROM switchboard.rate_limits WHERE policy = ? AND key = ?), now()) AS tat
            ), taken AS (
                INSERT INTO switchboard.rate_limits AS r (policy, key, tat)
                SELECT ?::text, ?::text, tat + ?::bigint%1$s FROM seen
                WHERE tat + ?::bigint%1$s <= now() + ?::bigint%1$s
                ON CONFLICT (policy, key) DO UPDATE
                SET tat = greatest(r.tat, now()) + ?::bigint%1$s
                WHERE greatest(r.tat, now()) + ?::bigint%1$s <= now() + ?::bigint%1$s
                RETURNING r.tat
            )
            SELECT %2$s, %3$s FROM seen
            """.formatted(US, micros("seen.tat - now()"), micros("(SELECT tat FROM taken) - now()"));

    /**
     * Several (policy, key) pairs at once, all or nothing: the upsert runs only if the read admits every pair,
     * taking the rows in key order so that concurrent multi-key decisions cannot deadlock. Parameters: policies,
     * keys, incs, bursts (arrays of equal length, no pair twice). Returns a row per pair in input order: TAT seen
     * ahead of now, new TAT ahead of now (null if not taken), and whether the read admitted every pair.
     */
    static final String ACQUIRE_ALL = """
            WITH req AS (
                SELECT q.ord, q.policy, q.key, q.inc%1$s AS inc, q.burst%1$s AS burst,
                       greatest((SELECT r.tat FROM switchboard.rate_limits r WHERE r.policy = q.policy AND r.key = q.key),
                                now()) AS tat
                FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS q(policy, key, inc, burst, ord)
            ), verdict AS (
                SELECT bool_and(tat + inc <= now() + burst) AS allowed FROM req
            ), taken AS (
                INSERT INTO switchboard.rate_limits AS r (policy, key, tat)
                SELECT policy, key, tat + inc FROM req WHERE (SELECT allowed FROM verdict)
                ORDER BY policy, key
                ON CONFLICT (policy, key) DO UPDATE
                SET tat = greatest(r.tat, now()) + (SELECT q.inc FROM req q WHERE q.policy = r.policy AND q.key = r.key)
                WHERE greatest(r.tat, now()) + (SELECT q.inc FROM req q WHERE q.policy = r.policy AND q.key = r.key)
                      <= now() + (SELECT q.burst FROM req q WHERE q.policy = r.policy AND q.key = r.key)
                RETURNING r.policy, r.key, r.tat
            )
            SELECT %2$s, %3$s, (SELECT allowed FROM verdict)
            FROM req LEFT JOIN taken t ON t.policy = req.policy AND t.key = req.key
            ORDER BY req.ord
            """.formatted(US, micros("req.tat - now()"), micros("t.tat - now()"));

    /** The TAT of one key, as microseconds ahead of now (negative or null: idle). */
    static final String PEEK = "SELECT " + micros("tat - now()") + " FROM switchboard.rate_limits WHERE policy = ? AND key = ?";

    /**
     * One batch of the idle-row purge: walks the primary key from (policy, key) exclusive, looks at up to
     * {@code limit} rows and deletes those whose TAT is not in the future (re-checked on the current row, so a
     * key that was just used again stays). Returns rows looked at, rows deleted and the last key looked at.
     */
    static final String PURGE_BATCH = """
            WITH batch AS (
                SELECT policy, key FROM switchboard.rate_limits
                WHERE (policy, key) > (?, ?)
                ORDER BY policy, key
                LIMIT ?
            ), purged AS (
                DELETE FROM switchboard.rate_limits r USING batch b
                WHERE r.policy = b.policy AND r.key = b.key AND r.tat <= now()
                RETURNING 1
            ), last AS (
                SELECT policy, key FROM batch ORDER BY policy DESC, key DESC LIMIT 1
            )
            SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM purged), last.policy, last.key
            FROM (SELECT 1) one LEFT JOIN last ON true
            """;
}
