package io.switchboard.server.webhooks.processing;

import io.switchboard.db.Columns;
import io.switchboard.db.Transactions;
import io.switchboard.jobs.JobContext;
import io.switchboard.jobs.JobHandler;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs one {@code webhook.process} job: marks its event processing, hands it to the matching
 * {@link WebhookEventHandler} inside the job's completion transaction (as the event's tenant) together with the
 * event's completion, and on failure records failed or dead_letter in a transaction of its own before rethrowing
 * so the queue retries. An event belongs to the job named in its {@code job_id}: a replay gives it a new job, and
 * the old one, if it still runs, finds the event no longer its own and does nothing.
 */
public class WebhookProcessor implements JobHandler<WebhookProcessor.ProcessArgs> {
    /** Arguments of a {@code webhook.process} job. */
    public record ProcessArgs(long eventId) {
    }

    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);
    private static final int MAX_ERROR = 2_000;

    private static final String START = """
            UPDATE app.webhook_events SET status = 'processing', attempts = attempts + 1
            WHERE id = ? AND (job_id IS NULL OR job_id = ?) AND status <> 'completed'
            RETURNING org_id, source_id, provider, event_type, dedupe_key, occurred_at, received_at, payload::text, attempts""";
    // Locked so a replay (which changes job_id) and this completion cannot interleave.
    private static final String LOCK = """
            SELECT 1 FROM app.webhook_events
            WHERE id = ? AND (job_id IS NULL OR job_id = ?) AND status <> 'completed' FOR UPDATE""";
    private static final String COMPLETE = """
            UPDATE app.webhook_events SET status = 'completed', processed_at = now(), last_error = ?
            WHERE id = ?
            RETURNING extract(epoch FROM processed_at - received_at)""";
    private static final String FAIL = """
            UPDATE app.webhook_events
            SET status = CASE WHEN ? THEN 'dead_letter' ELSE 'failed' END, last_error = ?,
                processed_at = CASE WHEN ? THEN now() ELSE processed_at END
            WHERE id = ? AND (job_id IS NULL OR job_id = ?) AND status <> 'completed'""";

    private final DataSource dataSource;
    private final JsonMapper json;
    private final List<WebhookEventHandler> handlers;
    private final WebhookMetrics metrics;

    public WebhookProcessor(DataSource dataSource, JsonMapper json, List<WebhookEventHandler> handlers, WebhookMetrics metrics) {
        this.dataSource = dataSource;
        this.json = json;
        this.handlers = List.copyOf(handlers);
        this.metrics = metrics;
    }

    @Override
    public void handle(ProcessArgs args, JobContext context) throws Exception {
        Optional<WebhookEvent> started = start(args.eventId(), context.jobId());
        if (started.isEmpty()) {
            log.debug("Webhook event {} is gone, completed or replayed under another job; job {} has nothing to do",
                    args.eventId(), context.jobId());
            return;
        }
        WebhookEvent event = started.get();
        WebhookEventHandler handler = handlers.stream()
                .filter(h -> h.provider().equals(event.provider()) && h.handles(event.eventType()))
                .findFirst().orElse(null);
        try {
            Double seconds = context.completeInTransaction(connection -> {
                TenantDatabase.enterTenant(connection, event.orgId());
                if (!lock(connection, event.id(), context.jobId())) {
                    TenantDatabase.leaveTenant(connection);
                    return null;
                }
                if (handler != null) {
                    handler.handle(event, connection);
                }
                double latency = complete(connection, event.id(), handler == null ? "no handler" : null);
                // The engine's own completion statement runs as the login user.
                TenantDatabase.leaveTenant(connection);
                return latency;
            });
            if (seconds == null) {
                return;
            }
            if (handler == null) {
                log.debug("No handler for {} event type '{}'; event {} completed as unhandled",
                        event.provider(), event.eventType(), event.id());
                metrics.unhandled(event.provider(), event.eventType());
            } else {
                metrics.processed(event.provider(), event.eventType(), Duration.ofNanos((long) (seconds * 1e9)));
            }
        } catch (LeaseLostException e) {
            throw e;
        } catch (Exception e) {
            boolean dead = e instanceof PermanentJobFailure || context.attempt() >= context.maxAttempts();
            recordFailure(event, context.jobId(), dead, e);
            throw e;
        }
    }

    private Optional<WebhookEvent> start(long eventId, long jobId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(START)) {
            ps.setLong(1, eventId);
            ps.setLong(2, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new WebhookEvent(eventId, rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getString(4), rs.getString(5), Columns.instant(rs, 6),
                        Columns.instant(rs, 7), json.readTree(rs.getString(8)), rs.getInt(9)));
            }
        }
    }

    private static boolean lock(Connection connection, long eventId, long jobId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(LOCK)) {
            ps.setLong(1, eventId);
            ps.setLong(2, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static double complete(Connection connection, long eventId, String note) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(COMPLETE)) {
            ps.setString(1, note);
            ps.setLong(2, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    private void recordFailure(WebhookEvent event, long jobId, boolean dead, Exception error) {
        String message = error.getClass().getName() + ": " + error.getMessage();
        if (message.length() > MAX_ERROR) {
            message = message.substring(0, MAX_ERROR);
        }
        String lastError = message;
        try (Connection connection = dataSource.getConnection()) {
            Transactions.inTransaction(connection, c -> {
                try (PreparedStatement ps = c.prepareStatement(FAIL)) {
                    ps.setBoolean(1, dead);
                    ps.setString(2, lastError);
                    ps.setBoolean(3, dead);
                    ps.setLong(4, event.id());
                    ps.setLong(5, jobId);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            // The job's own failure record still holds the error; the event's status catches up on the next attempt.
            log.warn("Could not record the failure of webhook event {}", event.id(), e);
            return;
        }
        metrics.failed(event.provider());
        if (dead) {
            metrics.dead(event.provider());
        }
        log.info("Webhook event {} ({} {}) failed attempt {}{}: {}", event.id(), event.provider(), event.eventType(),
                event.attempt(), dead ? ", dead-lettered" : "", lastError);
    }
}
