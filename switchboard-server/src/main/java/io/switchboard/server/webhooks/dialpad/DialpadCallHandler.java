package io.switchboard.server.webhooks.dialpad;

import io.switchboard.jobs.PermanentJobFailure;
import io.switchboard.server.webhooks.processing.EntityVersions;
import io.switchboard.server.webhooks.processing.WebhookEvent;
import io.switchboard.server.webhooks.processing.WebhookEventHandler;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Keeps the {@code calls} table at each Dialpad call's latest state. Dialpad sends one event per state change and
 * may deliver them out of order; the state with the later {@code event_timestamp} wins, so a call that hung up
 * stays hung up when a late "connected" arrives.
 */
@Component
public class DialpadCallHandler implements WebhookEventHandler {
    private static final String UPSERT = """
            INSERT INTO app.calls (org_id, call_id, state, direction, state_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (org_id, call_id) DO UPDATE
                SET state = EXCLUDED.state, direction = coalesce(EXCLUDED.direction, calls.direction),
                    state_at = EXCLUDED.state_at, updated_at = now()""";

    @Override
    public String provider() {
        return "dialpad";
    }

    @Override
    public boolean handles(String eventType) {
        return eventType.startsWith("call.");
    }

    @Override
    public void handle(WebhookEvent event, Connection connection) throws SQLException {
        JsonNode payload = event.payload();
        String callId = text(payload, "call_id");
        String state = text(payload, "state");
        if (callId == null || state == null) {
            throw new PermanentJobFailure("Dialpad call event " + event.id() + " has no call_id or state");
        }
        // The provider's time orders states; an event without one is ordered by its receipt.
        Instant at = event.occurredAt() != null ? event.occurredAt() : event.receivedAt();
        if (!EntityVersions.advance(connection, event, "call:" + callId, at)) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(UPSERT)) {
            ps.setObject(1, event.orgId());
            ps.setString(2, callId);
            ps.setString(3, state);
            ps.setString(4, text(payload, "direction"));
            ps.setTimestamp(5, Timestamp.from(at));
            ps.executeUpdate();
        }
    }

    private static String text(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        if (value == null || value.isNull() || value.isContainer()) {
            return null;
        }
        String text = value.asString();
        return text.isEmpty() ? null : text;
    }
}
