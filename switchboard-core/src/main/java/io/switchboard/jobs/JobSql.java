package io.switchboard.jobs;

/**
 * Every statement of the job queue, one per purpose, in one place. Each state change of
 * {@code docs/job-states.md} is exactly one of these statements. Times always come from the database clock
 * ({@code now()}), never from the application servers. An attempt is fenced by (id, attempt, worker_id):
 * a worker whose claim was rescued and re-claimed can no longer change the job.
 */
final class JobSql {
    private JobSql() {
    }

    static final String NOTIFY_CHANNEL = "switchboard_jobs";
    static final String CANCEL_CHANNEL = "switchboard_job_cancel";

    static final String UNFINISHED = "('scheduled', 'available', 'running')";

    /** Insert one job, or nothing when its unique key is held by an unfinished job. */
    static final String INSERT = insertOne("");

    /**
     * {@link #INSERT}, which also sends the queue's NOTIFY (delivered at commit) when the job is available now: one
     * round trip instead of two inside a caller's transaction.
     */
    static final String INSERT_NOTIFYING = insertOne(
            ", CASE WHEN state = 'available' THEN pg_notify('" + NOTIFY_CHANNEL + "', queue) END");

    private static String insertOne(String moreReturned) {
        return """
                INSERT INTO switchboard.jobs (queue, kind, args, state, priority, run_at, max_attempts, unique_key)
                SELECT q.queue, q.kind, q.args, CASE WHEN q.run_at <= now() THEN 'available' ELSE 'scheduled' END,
                       q.priority, q.run_at, q.max_attempts, q.unique_key
                FROM (SELECT ?::text AS queue, ?::text AS kind, ?::jsonb AS args, ?::smallint AS priority,
                             coalesce(?::timestamptz, now() + ?::bigint * interval '1 millisecond') AS run_at,
                             ?::int AS max_attempts, ?::text AS unique_key) q
                ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN %s DO NOTHING
                RETURNING id, state, queue%s
                """.formatted(UNFINISHED, moreReturned);
    }

    /** The unfinished job holding a unique key. */
    static final String FIND_UNIQUE = """
            SELECT id, state FROM switchboard.jobs
            WHERE kind = ? AND unique_key = ? AND state IN %s
            """.formatted(UNFINISHED);

    /** Many jobs in one statement (arrays), skipping those whose unique key is taken. */
    static final String INSERT_MANY = """
            INSERT INTO switchboard.jobs (queue, kind, args, state, priority, run_at, max_attempts, unique_key)
            SELECT q.queue, q.kind, q.args::jsonb, CASE WHEN q.run_at <= now() THEN 'available' ELSE 'scheduled' END,
                   q.priority, q.run_at, q.max_attempts, q.unique_key
            FROM (SELECT u.queue, u.kind, u.args, u.priority,
                         coalesce(u.run_at, now() + u.delay_ms * interval '1 millisecond') AS run_at,
                         u.max_attempts, u.unique_key
                  FROM unnest(?::text[], ?::text[], ?::text[], ?::smallint[], ?::timestamptz[], ?::bigint[], ?::int[], ?::text[])
                       AS u(queue, kind, args, priority, run_at, delay_ms, max_attempts, unique_key)) q
            ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN %s DO NOTHING
            """.formatted(UNFINISHED);

    /** Bulk load of immediate, non-unique jobs. */
    static final String COPY = """
            COPY switchboard.jobs (queue, kind, args, state, priority, max_attempts) FROM STDIN
            """;

    static final String NOTIFY_QUEUES = "SELECT pg_notify('" + NOTIFY_CHANNEL + "', q) FROM unnest(?::text[]) AS q";

    /**
     * available -> running: claim up to N ready jobs of known kinds, highest priority and oldest first.
     * The picked ids drive the update through the primary key ({@code id = ANY(ARRAY(...))}): with a join the
     * generic plan of a parameterised LIMIT hashes a sequential scan of the whole table on every claim.
     * The same shape is used by every statement below that picks rows with SKIP LOCKED.
     */
    static final String CLAIM = """
            UPDATE switchboard.jobs j
            SET state = 'running', attempt = j.attempt + 1, attempted_at = now(), worker_id = ?,
                lease_expires_at = now() + ?::bigint * interval '1 millisecond'
            WHERE j.id = ANY(ARRAY(
                SELECT id FROM switchboard.jobs
                WHERE state = 'available' AND queue = ? AND kind = ANY(?::text[])
                ORDER BY priority DESC, run_at, id
                LIMIT ?
                FOR UPDATE SKIP LOCKED))
            RETURNING j.id, j.kind, j.args::text, j.attempt, j.max_attempts, j.cancel_requested,
                      (extract(epoch FROM (now() - j.run_at)) * 1000)::bigint AS lag_ms
            """;

    /**
     * The fence of a batch of running attempts: ids (an array), their attempts (a JSON object keyed by id), the
     * worker. {@code lease_expires_at IS NOT NULL} means running (a CHECK constraint holds them equal) and keeps
     * the planner on the primary key: {@code state = 'running'} matches the partial index of running jobs, whose
     * generic plan scans every running job (and its not yet vacuumed predecessors) for each batch. The JSON is
     * parsed once (a sub-select); a plain cast of the text parameter would parse it again for every row.
     */
    static final String ATTEMPT_FENCE = """
            j.id = ANY(?::bigint[]) AND j.attempt = ((SELECT ?::jsonb) ->> j.id::text)::int AND j.worker_id = ?
                  AND j.lease_expires_at IS NOT NULL""";

    /** running -> completed, for a batch of attempts. */
    static final String COMPLETE_MANY = """
            UPDATE switchboard.jobs j
            SET state = 'completed', finished_at = now(), lease_expires_at = NULL
            WHERE %s
            """.formatted(ATTEMPT_FENCE);

    /** running -> completed for one attempt, inside the handler's own transaction. */
    static final String COMPLETE_ONE = """
            UPDATE switchboard.jobs
            SET state = 'completed', finished_at = now(), lease_expires_at = NULL
            WHERE id = ? AND attempt = ? AND worker_id = ? AND state = 'running'
            """;

    /**
     * running -> scheduled/available (retry after backoff), dead (last attempt or permanent failure) or
     * cancelled (cancel requested); the attempt's error is appended either way.
     */
    static final String FAIL = """
            UPDATE switchboard.jobs
            SET state = CASE WHEN cancel_requested THEN 'cancelled'
                             WHEN ? OR attempt >= max_attempts THEN 'dead'
                             WHEN ?::bigint = 0 THEN 'available'
                             ELSE 'scheduled' END,
                run_at = now() + ?::bigint * interval '1 millisecond',
                finished_at = CASE WHEN cancel_requested OR ? OR attempt >= max_attempts THEN now() END,
                lease_expires_at = NULL,
                errors = errors || jsonb_build_array(jsonb_build_object(
                    'attempt', attempt, 'at', now(), 'error', ?::text, 'worker', worker_id))
            WHERE id = ? AND attempt = ? AND worker_id = ? AND state = 'running'
            RETURNING state, queue
            """;

    /** running -> cancelled, when the handler returned after seeing a cancel request. */
    static final String CANCELLED_WHILE_RUNNING = """
            UPDATE switchboard.jobs
            SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL
            WHERE id = ? AND attempt = ? AND worker_id = ? AND state = 'running' AND cancel_requested
            """;

    /** Heartbeat: extend the leases of running attempts; reports cancel requests and lost leases. */
    static final String HEARTBEAT = """
            UPDATE switchboard.jobs j
            SET lease_expires_at = now() + ?::bigint * interval '1 millisecond'
            WHERE %s
            RETURNING j.id, j.cancel_requested
            """.formatted(ATTEMPT_FENCE);

    /** running -> available on graceful shutdown: the interrupted attempt does not count. */
    static final String RELEASE = """
            UPDATE switchboard.jobs j
            SET state = 'available', attempt = j.attempt - 1, worker_id = NULL, lease_expires_at = NULL, run_at = now()
            WHERE %s AND NOT j.cancel_requested
            RETURNING j.queue
            """.formatted(ATTEMPT_FENCE);

    /** scheduled -> available for due jobs; wakes the workers of each queue that got work. */
    static final String PROMOTE = """
            WITH promoted AS (
                UPDATE switchboard.jobs j SET state = 'available'
                WHERE j.id = ANY(ARRAY(
                    SELECT id FROM switchboard.jobs
                    WHERE state = 'scheduled' AND run_at <= now()
                    ORDER BY run_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED))
                RETURNING j.queue
            )
            SELECT count(*) AS n, pg_notify('%s', queue)::text FROM promoted GROUP BY queue
            """.formatted(NOTIFY_CHANNEL);

    /** running -> available/dead/cancelled for attempts whose lease expired (their worker died or hung). */
    static final String RESCUE = """
            WITH rescued AS (
                UPDATE switchboard.jobs j
                SET state = CASE WHEN j.cancel_requested THEN 'cancelled'
                                 WHEN j.attempt >= j.max_attempts THEN 'dead'
                                 ELSE 'available' END,
                    finished_at = CASE WHEN j.cancel_requested OR j.attempt >= j.max_attempts THEN now() END,
                    run_at = now(), lease_expires_at = NULL,
                    errors = j.errors || jsonb_build_array(jsonb_build_object(
                        'attempt', j.attempt, 'at', now(),
                        'error', 'lease expired: worker ' || coalesce(j.worker_id, '?') || ' stopped heartbeating',
                        'worker', j.worker_id))
                WHERE j.id = ANY(ARRAY(
                    SELECT id FROM switchboard.jobs
                    WHERE state = 'running' AND lease_expires_at < now()
                    ORDER BY lease_expires_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED))
                RETURNING j.id, j.queue, j.state, j.worker_id
            )
            SELECT id, queue, state, worker_id,
                   CASE WHEN state = 'available' THEN pg_notify('%s', queue)::text END
            FROM rescued
            """.formatted(NOTIFY_CHANNEL);

    /** scheduled/available -> cancelled, or mark a running job for cancellation (its worker is told). */
    static final String CANCEL = """
            UPDATE switchboard.jobs
            SET state = CASE WHEN state = 'running' THEN 'running' ELSE 'cancelled' END,
                finished_at = CASE WHEN state = 'running' THEN NULL ELSE now() END,
                cancel_requested = (state = 'running')
            WHERE id = ? AND state IN %s
            RETURNING state, pg_notify('%s', id::text)::text
            """.formatted(UNFINISHED, CANCEL_CHANNEL);

    /** dead -> available in bulk, optionally filtered by queue and kind, oldest first, skipping unique-key clashes. */
    static final String REPLAY_DEAD = """
            WITH replayed AS (
                UPDATE switchboard.jobs j
                SET state = 'available', attempt = 0, run_at = now(), finished_at = NULL, cancel_requested = false,
                    worker_id = NULL, lease_expires_at = NULL
                WHERE j.id = ANY(ARRAY(
                    SELECT d.id FROM switchboard.jobs d
                    WHERE d.state = 'dead' AND (?::text IS NULL OR d.queue = ?) AND (?::text IS NULL OR d.kind = ?)
                      AND (d.unique_key IS NULL OR NOT EXISTS (
                            SELECT 1 FROM switchboard.jobs o
                            WHERE o.kind = d.kind AND o.unique_key = d.unique_key AND o.state IN %s))
                    ORDER BY d.finished_at, d.id
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED))
                RETURNING j.queue
            )
            SELECT count(*) AS n, pg_notify('%s', queue)::text FROM replayed GROUP BY queue
            """.formatted(UNFINISHED, NOTIFY_CHANNEL);

    static final String SELECT_COLUMNS = """
            id, queue, kind, args::text, state, priority, attempt, max_attempts, run_at, unique_key, worker_id,
            cancel_requested, errors::text, created_at, attempted_at, finished_at
            """;

    /** dead/cancelled -> available, one job; the attempt count starts over, the error history stays. */
    static final String REPLAY = """
            WITH replayed AS (
                UPDATE switchboard.jobs
                SET state = 'available', attempt = 0, run_at = now(), finished_at = NULL, cancel_requested = false,
                    worker_id = NULL, lease_expires_at = NULL
                WHERE id = ? AND state IN ('dead', 'cancelled')
                RETURNING *
            )
            SELECT %s, pg_notify('%s', queue)::text FROM replayed
            """.formatted(SELECT_COLUMNS, NOTIFY_CHANNEL);

    static final String FIND = "SELECT " + SELECT_COLUMNS + " FROM switchboard.jobs WHERE id = ?";

    static final String LIST_DEAD = "SELECT " + SELECT_COLUMNS + """
             FROM switchboard.jobs
            WHERE state = 'dead' AND (?::text IS NULL OR queue = ?)
            ORDER BY finished_at DESC, id DESC
            LIMIT ?
            """;

    /** Per-queue counts from the partial indexes, and the age of the oldest available job. */
    static final String STATS = """
            SELECT queue,
                   count(*) FILTER (WHERE state = 'available') AS available,
                   count(*) FILTER (WHERE state = 'scheduled') AS scheduled,
                   count(*) FILTER (WHERE state = 'running') AS running,
                   count(*) FILTER (WHERE state = 'dead') AS dead,
                   coalesce((extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 'available')) * 1000)::bigint, 0) AS lag_ms
            FROM switchboard.jobs
            WHERE state IN ('available', 'scheduled', 'running', 'dead')
            GROUP BY queue
            ORDER BY queue
            """;

    /**
     * The age in milliseconds of the oldest available job of every queue that has one, counting nothing: a loose scan
     * of {@code jobs_ready} ({@code queue, priority DESC, run_at, id} of the available jobs) steps from one (queue,
     * priority) present to the next with two index probes and reads each one's first entry, so the cost grows with
     * the queues and priorities in use, not with the backlog ({@link #STATS} counts every unfinished job).
     */
    static final String LAGS = """
            WITH RECURSIVE present(queue, priority) AS (
                (SELECT queue, priority FROM switchboard.jobs WHERE state = 'available'
                 ORDER BY queue, priority DESC LIMIT 1)
                UNION ALL
                SELECT next.queue, next.priority
                FROM present p
                CROSS JOIN LATERAL (
                    (SELECT queue, priority FROM switchboard.jobs
                     WHERE state = 'available' AND queue = p.queue AND priority < p.priority
                     ORDER BY queue, priority DESC LIMIT 1)
                    UNION ALL
                    (SELECT queue, priority FROM switchboard.jobs
                     WHERE state = 'available' AND queue > p.queue
                     ORDER BY queue, priority DESC LIMIT 1)
                    LIMIT 1) next
            )
            SELECT p.queue, greatest(0, extract(epoch FROM now() - min(oldest.run_at)) * 1000)::bigint
            FROM present p
            CROSS JOIN LATERAL (SELECT run_at FROM switchboard.jobs
                                WHERE state = 'available' AND queue = p.queue AND priority = p.priority
                                ORDER BY run_at LIMIT 1) oldest
            GROUP BY p.queue
            ORDER BY p.queue
            """;

    /** Retention: delete a batch of finished jobs older than their state's retention. */
    static final String PRUNE = """
            DELETE FROM switchboard.jobs
            WHERE id = ANY(ARRAY(
                SELECT id FROM switchboard.jobs
                WHERE (state = 'completed' AND finished_at < now() - ?::bigint * interval '1 millisecond')
                   OR (state = 'cancelled' AND finished_at < now() - ?::bigint * interval '1 millisecond')
                   OR (state = 'dead' AND finished_at < now() - ?::bigint * interval '1 millisecond')
                LIMIT ?
                FOR UPDATE SKIP LOCKED))
            """;
}
