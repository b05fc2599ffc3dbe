package io.switchboard.server.webhooks.processing;

import io.switchboard.db.Columns;
import io.switchboard.db.Transactions;
import io.switchboard.jobs.BatchContext;
import io.switchboard.jobs.BatchJobHandler;
import io.switchboard.jobs.BatchedJob;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobRequest;
import io.switchboard.jobs.LeaseLostException;
import io.switchboard.jobs.PermanentJobFailure;
import io.switchboard.server.tenancy.TenantDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Runs {@code webhook.process} jobs, several at a time ({@link BatchJobHandler}): a run processes the events whose
 * {@code job_id} names one of its jobs (ingestion gives every event of one group commit the same job, a replay gives
 * its events a new one) in the jobs' completion transaction, so each handler's writes, the events' completion and
 * the jobs' completion commit together. Under load one run takes the jobs of many group commits, so its
 * statements and its commit are shared by all their events.
 *
 * <p>Each event runs as its own tenant, inside a savepoint when the run has several: an event whose handler fails
 * is rolled back alone, recorded {@code failed} with a job of its own (after the retry policy's backoff) or
 * {@code dead_letter} after its last attempt, and the others complete. A run of one job of one event fails the
 * ordinary way instead (the queue retries it with backoff and keeps its errors), recording failed or dead_letter
 * in a transaction of its own first. A job that no longer owns an event (the event was replayed under another
 * job) leaves it alone.
 */
public class WebhookProcessor implements BatchJobHandler<WebhookProcessor.ProcessArgs> {
    /**
     * Arguments of a {@code webhook.process} job: the job finds its events through their {@code job_id}.
     *
     * @param events how many events the job was created for (informational)
     */
    public record ProcessArgs(int events) {
    }

    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);
    private static final int MAX_ERROR = 2_000;
    private static final String NO_HANDLER = "no handler";
    /**
     * Whether event {@code e} was completed by its job's batch row (webhook_event_log, V5), though its own row still
     * says pending. A probe of the batches' primary key per event: without OFFSET 0 the generic plan of a statement
     * using it may hash a scan of every batch row kept (30 days of them), which grows with the table.
     */
    static final String COMPLETED_BY_ITS_BATCH = """
            EXISTS (SELECT 1 FROM app.webhook_batches b
                    WHERE b.job_id = e.job_id AND b.org_id = e.org_id AND e.id = ANY (b.events) OFFSET 0)""";

    // Runs as the login user. An event its job's batch row lists is done, though its row says pending: a job run
    // again (a cancelled one replayed, say) must not apply it twice. Not locked: only a replay changes an open
    // event's job_id, and a replay takes only failed (or finished) events, which LOCK_FAILED locks; a pending event
    // is its job's alone. Locking every row would write a lock record per event.
    static final String CLAIM = """
            SELECT id, org_id, source_id, provider, event_type, dedupe_key, occurred_at, received_at,
                   attempts, status = 'failed', job_id
            FROM app.webhook_events e
            WHERE job_id = ANY(?::bigint[]) AND status IN ('pending', 'processing', 'failed') AND NOT %s
            ORDER BY id""".formatted(COMPLETED_BY_ITS_BATCH);
    // The payloads of the claimed events a handler takes (only those: the others are completed unread).
    private static final String PAYLOADS = """
            SELECT id, coalesce(payload::text, convert_from(body, 'UTF8')) FROM app.webhook_events WHERE id = ANY(?::bigint[])""";
    // A replay (which changes job_id) waits for this commit; a replay committed meanwhile drops the event here.
    private static final String LOCK_FAILED = """
            SELECT id FROM app.webhook_events
            WHERE id = ANY(?::bigint[]) AND job_id = ANY(?::bigint[]) AND status = 'failed'
            ORDER BY id FOR UPDATE""";
    // Events recorded failed before (few): their rows say completed. Only after LOCK_FAILED locked them.
    private static final String COMPLETE_FAILED = """
            UPDATE app.webhook_events
            SET status = 'completed', processed_at = now(), attempts = attempts + 1,
                last_error = CASE WHEN id = ANY(?::bigint[]) THEN '%s' END
            WHERE id = ANY(?::bigint[]) AND status = 'failed'
            RETURNING id, processed_at""".formatted(NO_HANDLER);
    // The jobs' pending events (all the others): one row per job and organization lists them as completed; their
    // own rows are not written again (webhook_event_log, V5).
    private static final String COMPLETE_BATCH = """
            INSERT INTO app.webhook_batches (job_id, org_id, events, unhandled)
            SELECT t.job_id, t.org_id, array_agg(t.id), coalesce(array_agg(t.id) FILTER (WHERE t.unhandled), '{}')
            FROM unnest(?::bigint[], ?::uuid[], ?::bigint[], ?::boolean[]) AS t(job_id, org_id, id, unhandled)
            GROUP BY t.job_id, t.org_id
            RETURNING completed_at""";
    // One event split off a batch: failed with its own retry job, or dead-lettered.
    private static final String FAIL_ONE = """
            UPDATE app.webhook_events
            SET status = CASE WHEN ?::bigint IS NULL THEN 'dead_letter' ELSE 'failed' END, last_error = ?,
                attempts = attempts + 1, job_id = coalesce(?, job_id),
                processed_at = CASE WHEN ?::bigint IS NULL THEN now() ELSE processed_at END
            WHERE id = ?""";
    // A whole run's attempt failed: every event its jobs still own, dead-lettered where it was the job's last attempt.
    private static final String FAIL_JOBS = """
            UPDATE app.webhook_events e
            SET status = CASE WHEN f.dead THEN 'dead_letter' ELSE 'failed' END, last_error = ?, attempts = e.attempts + 1,
                processed_at = CASE WHEN f.dead THEN now() ELSE e.processed_at END
            FROM unnest(?::bigint[], ?::boolean[]) AS f(job_id, dead)
            WHERE e.job_id = f.job_id AND e.status IN ('pending', 'processing', 'failed')
            RETURNING e.provider, f.dead""";

    private final DataSource dataSource;
    private final Supplier<JobQueue> jobs;
    private final JsonMapper json;
    private final List<WebhookEventHandler> handlers;
    private final WebhookMetrics metrics;

    public WebhookProcessor(DataSource dataSource, Supplier<JobQueue> jobs, JsonMapper json, List<WebhookEventHandler> handlers,
                            WebhookMetrics metrics) {
        this.dataSource = dataSource;
        this.jobs = jobs;
        this.json = json;
        this.handlers = List.copyOf(handlers);
        this.metrics = metrics;
    }

    /** What one event's handler did inside the batch transaction. */
    private record Failure(WebhookEvent event, Exception error, boolean dead) {
    }

    private record Outcome(List<Failure> failures, List<Completed> completed) {
    }

    private record Completed(String provider, String eventType, boolean handled, Duration latency) {
    }

    /** The jobs of up to 64 group commits per run. */
    @Override
    public int maxJobsPerRun() {
        return 64;
    }

    /**
     * One run at a time per instance: while it runs, the jobs of the group commits meanwhile wait (unclaimed) and
     * the next run takes them together; at low load a run starts as soon as its job arrives.
     */
    @Override
    public int concurrentRuns() {
        return 1;
    }

    @Override
    public void handleBatch(List<BatchedJob<ProcessArgs>> jobs, BatchContext context) throws Exception {
        Outcome outcome;
        try {
            outcome = context.completeInTransaction(connection -> process(connection, jobs));
        } catch (LeaseLostException e) {
            throw e;
        } catch (Exception e) {
            recordJobFailure(jobs, e instanceof PermanentJobFailure, e);
            throw e;
        }
        for (Completed c : outcome.completed()) {
            if (c.handled()) {
                metrics.processed(c.provider(), c.eventType(), c.latency());
            } else {
                metrics.unhandled(c.provider(), c.eventType());
            }
        }
        for (Failure f : outcome.failures()) {
            countFailure(f.event().provider(), f.dead());
            log.info("Webhook event {} ({} {}) failed attempt {}{}: {}", f.event().id(), f.event().provider(),
                    f.event().eventType(), f.event().attempt(), f.dead() ? ", dead-lettered" : ", retried alone",
                    errorText(f.error()));
        }
    }

    private Outcome process(Connection connection, List<BatchedJob<ProcessArgs>> jobs) throws Exception {
        Long[] jobIds = jobs.stream().map(BatchedJob::id).toArray(Long[]::new);
        Claimed claimed = claim(connection, jobIds);
        List<Open> events = claimed.events();
        if (events.isEmpty()) {
            log.debug("Jobs {} own no open webhook event (completed, or replayed under other jobs)", List.of(jobIds));
            return new Outcome(List.of(), List.of());
        }
        boolean alone = events.size() == 1 && jobs.size() == 1;
        Map<Long, BatchedJob<ProcessArgs>> byId = new HashMap<>();
        jobs.forEach(job -> byId.put(job.id(), job));
        List<Open> done = new ArrayList<>(events.size());
        Set<Long> unhandled = new HashSet<>();
        List<Failure> failures = new ArrayList<>();
        Map<Long, WebhookEventHandler> handled = new HashMap<>();
        for (Open open : events) {
            WebhookEventHandler handler = handlerFor(open.provider(), open.eventType());
            if (handler != null) {
                handled.put(open.id(), handler);
            }
        }
        Map<Long, String> payloads = payloads(connection, handled.keySet());
        for (Open open : events) {
            WebhookEventHandler handler = handled.get(open.id());
            if (handler == null) {
                // Its payload is not even read.
                unhandled.add(open.id());
                done.add(open);
                continue;
            }
            WebhookEvent event = open.event(json, payloads.get(open.id()));
            if (alone) {
                // Fails the job itself: the queue retries it and keeps the error with the job.
                runAsTenant(connection, handler, event);
                done.add(open);
                continue;
            }
            Savepoint savepoint = connection.setSavepoint();
            try {
                runAsTenant(connection, handler, event);
                connection.releaseSavepoint(savepoint);
                done.add(open);
            } catch (Exception e) {
                connection.rollback(savepoint);
                failures.add(splitOff(connection, byId.get(open.jobId()), event, e));
            }
        }
        return new Outcome(failures, complete(connection, done, unhandled, claimed.failed()));
    }

    private static void runAsTenant(Connection connection, WebhookEventHandler handler, WebhookEvent event) throws Exception {
        TenantDatabase.enterTenant(connection, event.orgId());
        handler.handle(event, connection);
        // The events' and the engine's own completion statements run as the login user.
        TenantDatabase.leaveTenant(connection);
    }

    private WebhookEventHandler handlerFor(String provider, String eventType) {
        for (WebhookEventHandler h : handlers) {
            if (h.provider().equals(provider) && h.handles(eventType)) {
                return h;
            }
        }
        return null;
    }

    /** The open events a job owns, and which of them were recorded failed (those are locked). */
    private record Claimed(List<Open> events, Set<Long> failed) {
    }

    /** An open event as claimed, its payload still JSON text: only an event with a handler needs it parsed. */
    private record Open(long id, UUID orgId, UUID sourceId, String provider, String eventType, String dedupeKey,
                        Instant occurredAt, Instant receivedAt, int attempt, long jobId) {
        WebhookEvent event(JsonMapper json, String payloadJson) {
            return new WebhookEvent(id, orgId, sourceId, provider, eventType, dedupeKey, occurredAt, receivedAt,
                    json.readTree(payloadJson), attempt);
        }
    }

    /** The payloads (JSON text) of the events {@code ids}, by id. */
    private static Map<Long, String> payloads(Connection connection, Set<Long> ids) throws SQLException {
        Map<Long, String> payloads = new HashMap<>();
        if (ids.isEmpty()) {
            return payloads;
        }
        try (PreparedStatement ps = connection.prepareStatement(PAYLOADS)) {
            ps.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    payloads.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return payloads;
    }

    private Claimed claim(Connection connection, Long[] jobIds) throws SQLException {
        List<Open> events = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(CLAIM)) {
            ps.setArray(1, connection.createArrayOf("bigint", jobIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new Open(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                            rs.getString(4), rs.getString(5), rs.getString(6), Columns.instant(rs, 7),
                            Columns.instant(rs, 8), rs.getInt(9) + 1, rs.getLong(11)));
                    if (rs.getBoolean(10)) {
                        failed.add(rs.getLong(1));
                    }
                }
            }
        }
        if (failed.isEmpty()) {
            return new Claimed(events, Set.of());
        }
        Set<Long> locked = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(LOCK_FAILED)) {
            ps.setArray(1, connection.createArrayOf("bigint", failed.toArray()));
            ps.setArray(2, connection.createArrayOf("bigint", jobIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    locked.add(rs.getLong(1));
                }
            }
        }
        Set<Long> replayedMeanwhile = new HashSet<>(failed);
        replayedMeanwhile.removeAll(locked);
        events.removeIf(e -> replayedMeanwhile.contains(e.id()));
        return new Claimed(events, locked);
    }

    /**
     * Records the completed events: the few that were recorded failed in their own rows, all the others with one
     * {@code webhook_batches} row per organization. Returns what the metrics need.
     */
    private static List<Completed> complete(Connection connection, List<Open> done, Set<Long> unhandled,
                                            Set<Long> failed) throws SQLException {
        List<Open> wereFailed = new ArrayList<>();
        List<Open> pending = new ArrayList<>(done.size());
        for (Open event : done) {
            (failed.contains(event.id()) ? wereFailed : pending).add(event);
        }
        Instant completedAt = null;
        if (!wereFailed.isEmpty()) {
            int updated = 0;
            try (PreparedStatement ps = connection.prepareStatement(COMPLETE_FAILED)) {
                ps.setArray(1, connection.createArrayOf("bigint", unhandled.toArray()));
                ps.setArray(2, connection.createArrayOf("bigint", wereFailed.stream().map(Open::id).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        updated++;
                        completedAt = Columns.instant(rs, 2);
                    }
                }
            }
            if (updated != wereFailed.size()) {
                throw new SQLException("completed " + updated + " of " + wereFailed.size() + " locked failed events", "XX000");
            }
        }
        if (!pending.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement(COMPLETE_BATCH)) {
                ps.setArray(1, connection.createArrayOf("bigint", pending.stream().map(Open::jobId).toArray()));
                ps.setArray(2, connection.createArrayOf("uuid", pending.stream().map(Open::orgId).toArray()));
                ps.setArray(3, connection.createArrayOf("bigint", pending.stream().map(Open::id).toArray()));
                ps.setArray(4, connection.createArrayOf("boolean",
                        pending.stream().map(e -> unhandled.contains(e.id())).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        completedAt = Columns.instant(rs, 1);
                    }
                }
            }
        }
        List<Completed> completed = new ArrayList<>(done.size());
        for (Open event : done) {
            Duration latency = event.receivedAt() == null || completedAt == null ? Duration.ZERO
                    : Duration.between(event.receivedAt(), completedAt);
            completed.add(new Completed(event.provider(), event.eventType(), !unhandled.contains(event.id()), latency));
        }
        return completed;
    }

    /**
     * Records a failed event of a batch in the batch's transaction: dead_letter after its last attempt, otherwise
     * failed and owned by a new job of its own that runs after the retry policy's backoff.
     */
    private Failure splitOff(Connection connection, BatchedJob<ProcessArgs> job, WebhookEvent event, Exception error)
            throws SQLException {
        // What its job had left after this attempt; a retry job starts at attempt 1 with that budget.
        int attemptsLeft = job.maxAttempts() - job.attempt();
        boolean dead = error instanceof PermanentJobFailure || attemptsLeft <= 0;
        Long retryJob = null;
        if (!dead) {
            retryJob = jobs.get().enqueue(connection, JobRequest.of(WebhookProcessingConfiguration.PROCESS, new ProcessArgs(1))
                    .delay(WebhookProcessingConfiguration.RETRY.backoffAfter(event.attempt()))
                    .maxAttempts(attemptsLeft)).id();
        }
        try (PreparedStatement ps = connection.prepareStatement(FAIL_ONE)) {
            ps.setObject(1, retryJob);
            ps.setString(2, errorText(error));
            ps.setObject(3, retryJob);
            ps.setObject(4, retryJob);
            ps.setLong(5, event.id());
            ps.executeUpdate();
        }
        return new Failure(event, error, dead);
    }

    /**
     * Records a failed run in a transaction of its own: every event its jobs still own is failed, or dead-lettered
     * where the error is permanent or it was its job's last attempt.
     */
    private void recordJobFailure(List<BatchedJob<ProcessArgs>> jobs, boolean permanent, Exception error) {
        String lastError = errorText(error);
        List<String> providers = new ArrayList<>();
        List<String> deadProviders = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            Transactions.inTransaction(connection, c -> {
                try (PreparedStatement ps = c.prepareStatement(FAIL_JOBS)) {
                    ps.setString(1, lastError);
                    ps.setArray(2, c.createArrayOf("bigint", jobs.stream().map(BatchedJob::id).toArray()));
                    ps.setArray(3, c.createArrayOf("boolean", jobs.stream().map(j -> permanent || j.lastAttempt()).toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            (rs.getBoolean(2) ? deadProviders : providers).add(rs.getString(1));
                        }
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            // The jobs' own failure records still hold the error; the events' status catches up on the next attempt.
            log.warn("Could not record the failure of webhook jobs {}", jobs.stream().map(BatchedJob::id).toList(), e);
            return;
        }
        providers.forEach(provider -> countFailure(provider, false));
        deadProviders.forEach(provider -> countFailure(provider, true));
        if (!providers.isEmpty() || !deadProviders.isEmpty()) {
            log.info("Webhook jobs {} ({} events) failed{}: {}", jobs.stream().map(BatchedJob::id).toList(),
                    providers.size() + deadProviders.size(),
                    deadProviders.isEmpty() ? "" : ", " + deadProviders.size() + " dead-lettered", lastError);
        }
    }

    private void countFailure(String provider, boolean dead) {
        metrics.failed(provider);
        if (dead) {
            metrics.dead(provider);
        }
    }

    private static String errorText(Exception error) {
        String message = error.getClass().getName() + ": " + error.getMessage();
        return message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) : message;
    }
}
