package io.switchboard.server.webhooks.log;

import io.switchboard.db.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Deletes completed and dead-lettered events finished longer than the retention ago, with their receipts, and
 * rejections received longer ago, in batches (one short transaction each) across all organizations. Events still
 * pending, processing or failed are never deleted, however old.
 */
public class WebhookRetention {
    private static final Logger log = LoggerFactory.getLogger(WebhookRetention.class);

    // SKIP LOCKED: an event being replayed right now is left for the next run.
    private static final String DELETE_EVENTS = """
            WITH doomed AS (
                SELECT id FROM app.webhook_events
                WHERE status IN ('completed', 'dead_letter') AND processed_at < now() - make_interval(secs => ?)
                LIMIT ? FOR UPDATE SKIP LOCKED),
            receipts AS (DELETE FROM app.webhook_receipts r USING doomed WHERE r.event_id = doomed.id)
            DELETE FROM app.webhook_events e USING doomed WHERE e.id = doomed.id""";
    // Events completed through a batch (V5): their rows still say pending; the batch row knows when.
    private static final String DELETE_BATCH_EVENTS = """
            WITH doomed AS (
                SELECT e.id
                FROM (SELECT job_id, org_id, events FROM app.webhook_batches
                      WHERE completed_at < now() - make_interval(secs => ?) ORDER BY completed_at LIMIT ?) b
                CROSS JOIN LATERAL unnest(b.events) AS listed(id)
                JOIN app.webhook_events e
                  ON e.id = listed.id AND e.job_id = b.job_id AND e.org_id = b.org_id AND e.status = 'pending'
                LIMIT ? FOR UPDATE OF e SKIP LOCKED),
            receipts AS (DELETE FROM app.webhook_receipts r USING doomed WHERE r.event_id = doomed.id)
            DELETE FROM app.webhook_events e USING doomed WHERE e.id = doomed.id""";
    // A batch row goes once no event it completed is left (deleted above, or replayed under another job).
    private static final String DELETE_BATCHES = """
            DELETE FROM app.webhook_batches WHERE (job_id, org_id) IN (
                SELECT b.job_id, b.org_id FROM app.webhook_batches b
                WHERE b.completed_at < now() - make_interval(secs => ?)
                  AND NOT EXISTS (SELECT 1 FROM app.webhook_events e
                                  WHERE e.job_id = b.job_id AND e.org_id = b.org_id AND e.status = 'pending'
                                    AND e.id = ANY (b.events))
                ORDER BY b.completed_at LIMIT ? FOR UPDATE SKIP LOCKED)""";
    private static final String DELETE_REJECTIONS = """
            DELETE FROM app.webhook_rejections WHERE id IN (
                SELECT id FROM app.webhook_rejections WHERE received_at < now() - make_interval(secs => ?) LIMIT ?)""";

    /** How many rows a run deleted. */
    public record Purged(long events, long rejections) {
    }

    private final DataSource dataSource;
    private final Duration retention;
    private final int batchSize;

    public WebhookRetention(DataSource dataSource, Duration retention, int batchSize) {
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("switchboard.webhooks.retention must be positive, got " + retention);
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("switchboard.webhooks.retention-batch must be 1 to 100000, got " + batchSize);
        }
        this.dataSource = dataSource;
        this.retention = retention;
        this.batchSize = batchSize;
    }

    /** Deletes everything past retention, batch by batch, until a batch comes back short. */
    public Purged purge() throws SQLException {
        long events = deleteAll(DELETE_EVENTS);
        // Batch rows whose events were all replayed elsewhere first, so they do not fill the batches taken next.
        deleteAll(DELETE_BATCHES);
        events += deleteAll(DELETE_BATCH_EVENTS);
        deleteAll(DELETE_BATCHES);
        long rejections = deleteAll(DELETE_REJECTIONS);
        if (events > 0 || rejections > 0) {
            log.info("Webhook retention deleted {} events and {} rejections older than {}", events, rejections, retention);
        }
        return new Purged(events, rejections);
    }

    private long deleteAll(String sql) throws SQLException {
        long parameters = sql.chars().filter(ch -> ch == '?').count();
        long total = 0;
        try (Connection connection = dataSource.getConnection()) {
            int deleted;
            do {
                deleted = Transactions.inTransaction(connection, c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setDouble(1, retention.toSeconds());
                        // Every other parameter is a row limit.
                        for (int limit = 2; limit <= parameters; limit++) {
                            ps.setInt(limit, batchSize);
                        }
                        return ps.executeUpdate();
                    }
                });
                total += deleted;
            } while (deleted == batchSize);
        }
        return total;
    }
}
