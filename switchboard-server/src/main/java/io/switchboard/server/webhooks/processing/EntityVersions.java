package io.switchboard.server.webhooks.processing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;

/**
 * The out-of-order guard: per organization, provider and entity (a call, a booking, a subscription) the provider
 * time of the latest event applied. Providers retry and deliver concurrently, so a "connected" sent before a
 * "hangup" can arrive after it; a handler asks {@link #advance} first and applies the event only if it is newer.
 */
public final class EntityVersions {
    // Concurrent events of one entity serialize on the row; the WHERE is re-checked against the committed version.
    // The same event again (a replay) re-applies; an equal time from another event does not.
    private static final String ADVANCE = """
            INSERT INTO app.webhook_entity_versions (org_id, provider, entity_key, version_at, event_id)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (org_id, provider, entity_key) DO UPDATE
                SET version_at = EXCLUDED.version_at, event_id = EXCLUDED.event_id, updated_at = now()
                WHERE webhook_entity_versions.version_at < EXCLUDED.version_at
                   OR (webhook_entity_versions.version_at = EXCLUDED.version_at
                       AND webhook_entity_versions.event_id = EXCLUDED.event_id)
            RETURNING 1""";

    private EntityVersions() {
    }

    /**
     * Records that {@code event} brings {@code entityKey} to the state of time {@code at}, if no later state was
     * applied, in the handler's transaction.
     *
     * @return true if the handler should apply the event; false if a later (or simultaneous) state is already applied
     */
    public static boolean advance(Connection connection, WebhookEvent event, String entityKey, Instant at) throws SQLException {
        Objects.requireNonNull(at, "at");
        if (entityKey == null || entityKey.isEmpty() || entityKey.length() > 300) {
            throw new IllegalArgumentException("entity key must be 1 to 300 characters");
        }
        try (PreparedStatement ps = connection.prepareStatement(ADVANCE)) {
            ps.setObject(1, event.orgId());
            ps.setString(2, event.provider());
            ps.setString(3, entityKey);
            ps.setTimestamp(4, Timestamp.from(at));
            ps.setLong(5, event.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
