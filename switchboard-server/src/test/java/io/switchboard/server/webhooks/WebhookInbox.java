package io.switchboard.server.webhooks;

import io.switchboard.db.Transactions;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobRequest;
import io.switchboard.server.webhooks.processing.WebhookProcessingConfiguration;
import io.switchboard.server.webhooks.processing.WebhookProcessor.ProcessArgs;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes the inbox as ingestion does, without the HTTP endpoint: a source, and per event its row, its first receipt
 * and its {@code webhook.process} job in one transaction, the job's id stored on the event.
 */
public final class WebhookInbox {
    private final DataSource dataSource;
    private final JobQueue jobs;

    public WebhookInbox(DataSource dataSource, JobQueue jobs) {
        this.dataSource = dataSource;
        this.jobs = jobs;
    }

    /** A new source of {@code provider} for {@code org}. */
    public UUID source(UUID org, String provider) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO app.webhook_sources (org_id, provider, name) VALUES (?, ?, 'test') RETURNING id")) {
            ps.setObject(1, org);
            ps.setString(2, provider);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    /** A received event with its job (the kind's attempts, or {@code maxAttempts} when not null). */
    public long event(UUID org, UUID source, String provider, String type, String payload, Instant occurredAt,
                      Integer maxAttempts) throws SQLException {
        return batch(org, source, provider, type, List.of(payload), occurredAt, maxAttempts).getFirst();
    }

    /** Events received in one group commit: one processing job for all of them, as ingestion writes them. */
    public List<Long> batch(UUID org, UUID source, String provider, String type, List<String> payloads,
                            Instant occurredAt, Integer maxAttempts) throws SQLException {
        return batch(org, source, provider, type, payloads, occurredAt, maxAttempts, Duration.ZERO);
    }

    /** One event whose processing job runs only after {@code delay}. */
    public long delayedEvent(UUID org, UUID source, String provider, String type, String payload, Duration delay)
            throws SQLException {
        return batch(org, source, provider, type, List.of(payload), null, null, delay).getFirst();
    }

    private List<Long> batch(UUID org, UUID source, String provider, String type, List<String> payloads,
                             Instant occurredAt, Integer maxAttempts, Duration delay) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, connection -> {
                JobRequest job = JobRequest.of(WebhookProcessingConfiguration.PROCESS, new ProcessArgs(payloads.size()));
                if (maxAttempts != null) {
                    job.maxAttempts(maxAttempts);
                }
                if (!delay.isZero()) {
                    job.delay(delay);
                }
                long jobId = jobs.enqueue(connection, job).id();
                List<Long> ids = new ArrayList<>();
                for (String payload : payloads) {
                    try (PreparedStatement ps = connection.prepareStatement("""
                            INSERT INTO app.webhook_events (org_id, source_id, provider, dedupe_key, event_type, occurred_at,
                                                            headers, body, payload, job_id)
                            VALUES (?, ?, ?, ?, ?, ?, '{}', convert_to(?, 'UTF8'), ?::jsonb, ?) RETURNING id""")) {
                        ps.setObject(1, org);
                        ps.setObject(2, source);
                        ps.setString(3, provider);
                        ps.setString(4, UUID.randomUUID().toString());
                        ps.setString(5, type);
                        ps.setTimestamp(6, occurredAt == null ? null : Timestamp.from(occurredAt));
                        ps.setString(7, payload);
                        ps.setString(8, payload);
                        ps.setLong(9, jobId);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                return ids;
            });
        }
    }

    /** Another {@code webhook.process} job, which no event names (as if orphaned by a replay). */
    public long extraJob() {
        return jobs.enqueue(JobRequest.of(WebhookProcessingConfiguration.PROCESS, new ProcessArgs(1))).id();
    }

    /** Another accepted copy of event {@code eventId}. */
    public void duplicate(UUID org, UUID source, long eventId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            receipt(c, org, source, eventId, true);
        }
    }

    /** A refused request, received {@code ago} before now. */
    public void rejection(UUID org, UUID source, String reason, java.time.Duration ago) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO app.webhook_rejections (org_id, source_id, reason, detail, received_at)
                     VALUES (?, ?, ?, 'test', now() - make_interval(secs => ?))""")) {
            ps.setObject(1, org);
            ps.setObject(2, source);
            ps.setString(3, reason);
            ps.setDouble(4, ago.toSeconds());
            ps.executeUpdate();
        }
    }

    /** Runs one statement as the login user (to age rows, or to read across tenants). */
    public long scalar(String sql, Object... args) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            if (!ps.execute()) {
                return ps.getUpdateCount();
            }
            try (ResultSet rs = ps.getResultSet()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void receipt(Connection c, UUID org, UUID source, long eventId, boolean duplicate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO app.webhook_receipts (org_id, source_id, event_id, duplicate) VALUES (?, ?, ?, ?)""")) {
            ps.setObject(1, org);
            ps.setObject(2, source);
            ps.setLong(3, eventId);
            ps.setBoolean(4, duplicate);
            ps.executeUpdate();
        }
    }
}
