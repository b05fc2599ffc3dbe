package io.switchboard.schedule;

/** Every schedule statement. "Now" is always the database's. */
final class ScheduleSql {
    private ScheduleSql() {
    }

    /** On start: the last started instance's trigger wins; a changed trigger restarts from the next slot. */
    static final String REGISTER = """
            INSERT INTO switchboard.schedules (name, trigger) VALUES (?, ?)
            ON CONFLICT (name) DO UPDATE
            SET trigger = excluded.trigger,
                next_slot_at = CASE WHEN schedules.trigger = excluded.trigger THEN schedules.next_slot_at END,
                updated_at = CASE WHEN schedules.trigger = excluded.trigger THEN schedules.updated_at ELSE now() END
            """;

    /** One cheap read per tick for all of this instance's schedules. */
    static final String STATE = """
            SELECT s.name, s.trigger, s.next_slot_at, s.paused, now(),
                   EXISTS (SELECT 1 FROM switchboard.schedule_runs r
                           WHERE r.schedule = s.name AND r.status = 'pending' AND r.job_id IS NULL) AS backlog
            FROM switchboard.schedules s WHERE s.name = ANY(?::text[])
            """;

    /** The oldest catch-up run still waiting for its job. */
    static final String BACKLOG_HEAD = """
            SELECT id, slot_at FROM switchboard.schedule_runs
            WHERE schedule = ? AND status = 'pending' AND job_id IS NULL
            ORDER BY slot_at LIMIT 1
            """;

    /** Only one instance at a time works a schedule's due slots; the others skip it this tick. */
    static final String LOCK = """
            SELECT trigger, next_slot_at, paused, now() FROM switchboard.schedules WHERE name = ? FOR UPDATE SKIP LOCKED
            """;

    /** The database refuses a second run of a slot, whatever happens above it. */
    static final String INSERT_RUN = """
            INSERT INTO switchboard.schedule_runs (schedule, slot_at, manual, status, fired_by, error)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (schedule, slot_at) WHERE NOT manual DO NOTHING
            RETURNING id
            """;

    static final String INSERT_MANUAL_RUN = """
            INSERT INTO switchboard.schedule_runs (schedule, slot_at, manual, status, fired_by)
            VALUES (?, now(), true, 'pending', ?)
            RETURNING id, slot_at
            """;

    static final String SET_JOB = "UPDATE switchboard.schedule_runs SET job_id = ? WHERE id = ?";

    static final String OVERLAP_SKIPPED = """
            UPDATE switchboard.schedule_runs
            SET status = 'skipped', job_id = ?, finished_at = now(), error = 'previous run still unfinished (job ' || ? || '); overlap not allowed'
            WHERE id = ?
            """;

    static final String ADVANCE = "UPDATE switchboard.schedules SET next_slot_at = ? WHERE name = ?";

    static final String RUN_STARTED = """
            UPDATE switchboard.schedule_runs
            SET status = 'running', started_at = now(), finished_at = NULL, instance_id = ?, attempt = ?
            WHERE id = ?
            """;

    static final String RUN_SUCCEEDED = """
            UPDATE switchboard.schedule_runs SET status = 'succeeded', finished_at = now(), error = NULL WHERE id = ?
            """;

    static final String RUN_FAILED = """
            UPDATE switchboard.schedule_runs SET status = ?, finished_at = now(), error = ? WHERE id = ?
            """;

    /** Runs whose job died or was cancelled without the task reporting it (crash on the last attempt). */
    static final String RECONCILE = """
            UPDATE switchboard.schedule_runs r
            SET status = 'dead', finished_at = coalesce(r.finished_at, j.finished_at),
                error = coalesce(r.error, 'job ' || j.id || ' ended ' || j.state)
            FROM switchboard.jobs j
            WHERE r.job_id = j.id AND r.status IN ('pending', 'running', 'failed') AND j.state IN ('dead', 'cancelled')
            """;

    static final String PAUSE = "UPDATE switchboard.schedules SET paused = true, updated_at = now() WHERE name = ?";

    /** Resuming starts from the next slot after now: slots that fell during the pause never run. */
    static final String RESUME = """
            UPDATE switchboard.schedules SET paused = false, next_slot_at = NULL, updated_at = now() WHERE name = ?
            """;

    static final String RUN_COLUMNS = """
            id, schedule, slot_at, manual, status, job_id, fired_by, instance_id, attempt, fired_at, started_at,
            finished_at, error
            """;

    static final String LIST = """
            SELECT s.name, s.trigger, s.next_slot_at, s.paused, r.*
            FROM switchboard.schedules s
            LEFT JOIN LATERAL (
                SELECT %s FROM switchboard.schedule_runs WHERE schedule = s.name ORDER BY slot_at DESC, id DESC LIMIT 1
            ) r ON true
            WHERE s.name = ANY(?::text[])
            ORDER BY s.name
            """.formatted(RUN_COLUMNS);

    static final String RUNS = """
            SELECT %s FROM switchboard.schedule_runs
            WHERE schedule = ? ORDER BY slot_at DESC, id DESC LIMIT ?
            """.formatted(RUN_COLUMNS);

    static final String PRUNE_RUNS = """
            DELETE FROM switchboard.schedule_runs
            WHERE id = ANY(ARRAY(SELECT id FROM switchboard.schedule_runs WHERE fired_at < now() - ?::bigint * interval '1 millisecond'
                                 AND status NOT IN ('pending', 'running') LIMIT 5000))
            """;
}
