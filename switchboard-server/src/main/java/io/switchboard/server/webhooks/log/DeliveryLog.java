package io.switchboard.server.webhooks.log;

import io.switchboard.db.Columns;
import io.switchboard.jobs.AttemptError;
import io.switchboard.jobs.Job;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobRequest;
import io.switchboard.server.tenancy.TenantDatabase;
import io.switchboard.server.webhooks.log.DeliveryLogModels.BulkReplay;
import io.switchboard.server.webhooks.log.DeliveryLogModels.EventDetail;
import io.switchboard.server.webhooks.log.DeliveryLogModels.EventSummary;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Health;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Latency;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Replayed;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Stats;
import io.switchboard.server.webhooks.processing.WebhookProcessingConfiguration;
import io.switchboard.server.webhooks.processing.WebhookProcessor.ProcessArgs;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The delivery log of one organization: every statement runs through {@link TenantDatabase#inTenant}, so another
 * organization's events are simply not there.
 */
class DeliveryLog {
    static final Set<String> STATUSES = Set.of("pending", "processing", "completed", "failed", "dead_letter");
    static final Set<String> REPLAYABLE = Set.of("failed", "dead_letter", "completed");
    static final int MAX_LIMIT = 1000;
    /** A bulk replay gives each run of this many events one processing job (a batch, as ingestion does). */
    static final int REPLAY_JOB_SIZE = 100;

    // webhook_event_log (V5) adds to each event row its completed batch and, while its job runs, 'processing'.
    private static final String COLUMNS = "id, source_id, provider, event_type, dedupe_key, status, attempts, last_error, "
            + "received_at, occurred_at, processed_at, job_id";
    // NULL filters match everything. A status filter also names where its events are found through an index (the
    // effective status is computed, so it cannot be indexed): open events through their unfinished jobs, failed and
    // dead-lettered ones through their recorded status; completed ones are most events, found as they come.
    private static final String LIST = """
            SELECT %s FROM app.webhook_event_log
            WHERE (?::text IS NULL OR status = ?) AND %s
              AND (?::uuid IS NULL OR source_id = ?) AND (?::text IS NULL OR event_type = ?)
            ORDER BY received_at DESC, id DESC LIMIT ?""";
    private static final String LIST_ANY = LIST.formatted(COLUMNS, "true");
    private static final String LIST_OPEN = LIST.formatted(COLUMNS,
            "(job_id = ANY(ARRAY(SELECT app.webhook_open_jobs())) OR recorded_status = 'failed')");
    private static final String LIST_TROUBLE = LIST.formatted(COLUMNS, "recorded_status IN ('failed', 'dead_letter')");
    // Failed and dead-lettered events are recorded in their rows (and indexed there).
    private static final String FAILURES = "SELECT " + COLUMNS + " FROM app.webhook_event_log"
            + " WHERE recorded_status IN ('failed', 'dead_letter') ORDER BY received_at DESC, id DESC LIMIT ?";
    private static final String GET_SUMMARY = "SELECT " + COLUMNS + " FROM app.webhook_event_log WHERE id = ?";
    private static final String GET = "SELECT " + COLUMNS + ", payload::text FROM app.webhook_event_log WHERE id = ?";
    // The open events are those of unfinished processing jobs, and the failed and dead-lettered ones.
    private static final String HEALTH = """
            SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'processing'),
                   count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'dead_letter'),
                   extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'pending'))
            FROM app.webhook_event_log
            WHERE job_id = ANY(ARRAY(SELECT app.webhook_open_jobs())) OR recorded_status IN ('failed', 'dead_letter')""";
    // Accepted requests: each event row is its first copy's; webhook_receipts holds the duplicates.
    private static final String RECEIPT_STATS = """
            SELECT (SELECT count(*) FROM app.webhook_events WHERE received_at >= ?) + d.n, d.n
            FROM (SELECT count(*) AS n FROM app.webhook_receipts WHERE received_at >= ? AND duplicate) d""";
    private static final String REJECTION_STATS = """
            SELECT reason, count(*) FROM app.webhook_rejections WHERE received_at >= ? GROUP BY reason ORDER BY reason""";
    // The events received or finished in the range, each set found through its own index.
    private static final String EVENT_STATS = """
            SELECT count(*) FILTER (WHERE status = 'completed' AND processed_at >= ?),
                   count(*) FILTER (WHERE status = 'failed' AND received_at >= ?),
                   count(*) FILTER (WHERE status = 'dead_letter' AND processed_at >= ?),
                   1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY processed_at - received_at)
                       FILTER (WHERE status = 'completed' AND processed_at >= ?)),
                   1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY processed_at - received_at)
                       FILTER (WHERE status = 'completed' AND processed_at >= ?))
            FROM app.webhook_event_log WHERE id IN (
                SELECT id FROM app.webhook_events WHERE received_at >= ?
                UNION ALL
                SELECT id FROM app.webhook_events WHERE processed_at >= ? AND status IN ('completed', 'dead_letter')
                UNION ALL
                SELECT unnest(events) FROM app.webhook_batches WHERE completed_at >= ?)""";
    private static final String LOCK_ONE = """
            SELECT l.status FROM app.webhook_events e JOIN app.webhook_event_log l ON l.id = e.id
            WHERE e.id = ? FOR UPDATE OF e""";
    // Failed and dead-lettered events through their recorded status (indexed), as the list does.
    private static final String LOCK_MATCHING = """
            SELECT e.id FROM app.webhook_events e JOIN app.webhook_event_log l ON l.id = e.id
            WHERE l.status = ? AND %s AND (?::uuid IS NULL OR l.source_id = ?) AND (?::text IS NULL OR l.event_type = ?)
              AND (?::timestamptz IS NULL OR l.received_at >= ?)
            ORDER BY l.received_at, l.id LIMIT ? FOR UPDATE OF e SKIP LOCKED""";
    private static final String LOCK_COMPLETED = LOCK_MATCHING.formatted("true");
    private static final String LOCK_TROUBLE = LOCK_MATCHING.formatted("e.status IN ('failed', 'dead_letter')");
    // Attempts and last error as the log showed them (a completed batch's included) stay with the event.
    private static final String REQUEUE = """
            UPDATE app.webhook_events e SET status = 'pending', job_id = ?, processed_at = NULL,
                attempts = l.attempts, last_error = l.last_error
            FROM app.webhook_event_log l
            WHERE l.id = e.id AND e.id = ANY(?::bigint[]) AND e.org_id = ?""";

    private final TenantDatabase database;
    private final JobQueue jobs;
    private final JsonMapper json;

    DeliveryLog(TenantDatabase database, JobQueue jobs, JsonMapper json) {
        this.database = database;
        this.jobs = jobs;
        this.json = json;
    }

    List<EventSummary> list(UUID orgId, String status, UUID source, String type, int limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw new IllegalArgumentException("'status' must be one of " + new TreeSet<>(STATUSES) + ", got '" + status + "'");
        }
        checkLimit(limit);
        return database.inTenant(orgId, c -> {
            String sql = status == null || status.equals("completed") ? LIST_ANY
                    : status.equals("pending") || status.equals("processing") ? LIST_OPEN : LIST_TROUBLE;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, status);
                ps.setString(2, status);
                ps.setObject(3, source);
                ps.setObject(4, source);
                ps.setString(5, type);
                ps.setString(6, type);
                ps.setInt(7, limit);
                return summaries(ps);
            }
        });
    }

    List<EventSummary> failures(UUID orgId, int limit) {
        checkLimit(limit);
        return database.inTenant(orgId, c -> {
            try (PreparedStatement ps = c.prepareStatement(FAILURES)) {
                ps.setInt(1, limit);
                return summaries(ps);
            }
        });
    }

    EventDetail get(UUID orgId, long id) {
        EventDetail found = database.inTenant(orgId, c -> {
            try (PreparedStatement ps = c.prepareStatement(GET)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    EventSummary s = summary(rs);
                    return new EventDetail(s.id(), s.sourceId(), s.provider(), s.type(), s.dedupeKey(), s.status(),
                            s.attempts(), s.lastError(), s.receivedAt(), s.occurredAt(), s.processedAt(), s.jobId(),
                            json.readTree(rs.getString(13)), List.of());
                }
            }
        });
        if (found == null) {
            throw new DeliveryLogErrors.EventNotFoundException(id);
        }
        // The job belongs to this organization's event (RLS found it), so reading it by id leaks nothing.
        List<AttemptError> errors = found.jobId() == null ? List.of()
                : jobs.find(found.jobId()).map(Job::errors).orElse(List.of());
        return new EventDetail(found.id(), found.sourceId(), found.provider(), found.type(), found.dedupeKey(),
                found.status(), found.attempts(), found.lastError(), found.receivedAt(), found.occurredAt(),
                found.processedAt(), found.jobId(), found.payload(), errors);
    }

    Health health(UUID orgId) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement ps = c.prepareStatement(HEALTH); ResultSet rs = ps.executeQuery()) {
                rs.next();
                double age = rs.getDouble(5);
                return new Health(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.wasNull() ? null : age);
            }
        });
    }

    Stats stats(UUID orgId, StatsRange range) {
        return database.inTenant(orgId, c -> {
            Instant since;
            try (PreparedStatement ps = c.prepareStatement("SELECT now() - make_interval(secs => ?)")) {
                ps.setDouble(1, range.duration().toSeconds());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    since = Columns.instant(rs, 1);
                }
            }
            Timestamp from = Timestamp.from(since);
            long received;
            long duplicates;
            try (PreparedStatement ps = c.prepareStatement(RECEIPT_STATS)) {
                ps.setTimestamp(1, from);
                ps.setTimestamp(2, from);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    received = rs.getLong(1);
                    duplicates = rs.getLong(2);
                }
            }
            Map<String, Long> rejected = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(REJECTION_STATS)) {
                ps.setTimestamp(1, from);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rejected.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(EVENT_STATS)) {
                for (int i = 1; i <= 8; i++) {
                    ps.setTimestamp(i, from);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Double p50 = rs.getObject(4) == null ? null : rs.getDouble(4);
                    Double p99 = rs.getObject(5) == null ? null : rs.getDouble(5);
                    return new Stats(range.text(), since, received, duplicates,
                            rejected.values().stream().mapToLong(Long::longValue).sum(), rejected,
                            rs.getLong(1), rs.getLong(2), rs.getLong(3), new Latency(p50, p99));
                }
            }
        });
    }

    /** Puts one finished event back to pending with a new processing job. */
    EventSummary replay(UUID orgId, long id) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement ps = c.prepareStatement(LOCK_ONE)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new DeliveryLogErrors.EventNotFoundException(id);
                    }
                    if (!REPLAYABLE.contains(rs.getString(1))) {
                        throw new DeliveryLogErrors.NotReplayableException(id, rs.getString(1));
                    }
                }
            }
            requeue(c, orgId, List.of(id));
            try (PreparedStatement ps = c.prepareStatement(GET_SUMMARY)) {
                ps.setLong(1, id);
                return summaries(ps).getFirst();
            }
        });
    }

    /** Puts every event matching {@code filter} (up to its limit) back to pending, with new jobs. */
    Replayed replay(UUID orgId, BulkReplay filter) {
        String status = filter.status() == null ? "dead_letter" : filter.status();
        if (!REPLAYABLE.contains(status)) {
            throw new IllegalArgumentException("'status' must be one of failed, dead_letter, completed; got '" + status + "'");
        }
        int limit = filter.limit() == null ? 100 : checkLimit(filter.limit());
        return database.inTenant(orgId, c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(status.equals("completed") ? LOCK_COMPLETED : LOCK_TROUBLE)) {
                ps.setString(1, status);
                ps.setObject(2, filter.source());
                ps.setObject(3, filter.source());
                ps.setString(4, filter.type());
                ps.setString(5, filter.type());
                Timestamp since = filter.since() == null ? null : Timestamp.from(filter.since());
                ps.setTimestamp(6, since);
                ps.setTimestamp(7, since);
                ps.setInt(8, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            requeue(c, orgId, ids);
            return new Replayed(ids.size(), ids);
        });
    }

    /**
     * Enqueues a job per {@value #REPLAY_JOB_SIZE} events and points the events at it, in the caller's tenant
     * transaction, so the events and their jobs commit together. The rows are already locked and known to be the tenant's; the job table is the
     * engine's, so these statements run as the login user.
     */
    private void requeue(Connection c, UUID orgId, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        TenantDatabase.leaveTenant(c);
        try (PreparedStatement ps = c.prepareStatement(REQUEUE)) {
            for (int from = 0; from < ids.size(); from += REPLAY_JOB_SIZE) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + REPLAY_JOB_SIZE));
                long jobId = jobs.enqueue(c, JobRequest.of(WebhookProcessingConfiguration.PROCESS,
                        new ProcessArgs(chunk.size()))).id();
                ps.setLong(1, jobId);
                ps.setArray(2, c.createArrayOf("bigint", chunk.toArray()));
                ps.setObject(3, orgId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        TenantDatabase.enterTenant(c, orgId);
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return limit;
    }

    private static List<EventSummary> summaries(PreparedStatement ps) throws SQLException {
        List<EventSummary> events = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                events.add(summary(rs));
            }
        }
        return events;
    }

    private static EventSummary summary(ResultSet rs) throws SQLException {
        long jobId = rs.getLong(12);
        Long job = rs.wasNull() ? null : jobId;
        return new EventSummary(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8), Columns.instant(rs, 9),
                Columns.instant(rs, 10), Columns.instant(rs, 11), job);
    }
}
