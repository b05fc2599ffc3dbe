package io.switchboard.server.webhooks.processing;

import io.switchboard.db.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead-letters the open events whose processing job ended without completing them: the job died (its worker
 * stopped heartbeating on its last attempt, so no failure was recorded for its events) or was cancelled. Without
 * this they would say pending forever, be counted nowhere and could not be replayed. Run by the schedule
 * {@value WebhookProcessingConfiguration#ABANDONED_SCHEDULE}; the job's own errors stay on the job
 * ({@code jobErrors} of the event's detail).
 */
public class AbandonedEvents {
    private static final Logger log = LoggerFactory.getLogger(AbandonedEvents.class);

    // Runs as the login user. An event its job's batch row lists was completed by that job, whatever came later.
    private static final String DEAD_LETTER = """
            UPDATE app.webhook_events e
            SET status = 'dead_letter', processed_at = now(),
                last_error = 'its processing job ' || j.id || ' ended ' || j.state || ' without completing it'
            FROM switchboard.jobs j
            WHERE j.kind = '%s' AND j.state IN ('dead', 'cancelled') AND e.job_id = j.id
              AND e.status IN ('pending', 'failed') AND NOT %s
            RETURNING e.provider""".formatted(WebhookProcessingConfiguration.KIND, WebhookProcessor.COMPLETED_BY_ITS_BATCH);

    private final DataSource dataSource;
    private final WebhookMetrics metrics;

    public AbandonedEvents(DataSource dataSource, WebhookMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    /** Dead-letters every such event; how many. */
    public int sweep() throws SQLException {
        List<String> providers = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            Transactions.inTransaction(connection, c -> {
                try (PreparedStatement ps = c.prepareStatement(DEAD_LETTER); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        providers.add(rs.getString(1));
                    }
                }
                return null;
            });
        }
        if (!providers.isEmpty()) {
            providers.forEach(metrics::dead);
            log.warn("Dead-lettered {} webhook events whose processing job ended without completing them", providers.size());
        }
        return providers.size();
    }
}
