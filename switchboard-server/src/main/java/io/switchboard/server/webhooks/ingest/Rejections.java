package io.switchboard.server.webhooks.ingest;

import io.switchboard.server.tenancy.TenantDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.util.UUID;

/** Records refused webhook requests of a known source: reason code, a detail without secrets, the sender's address. */
class Rejections {
    private static final Logger log = LoggerFactory.getLogger(Rejections.class);
    static final int MAX_DETAIL = 1000;

    private static final String INSERT = """
            INSERT INTO app.webhook_rejections (org_id, source_id, reason, detail, remote_address) VALUES (?, ?, ?, ?, ?)""";

    private final TenantDatabase database;

    Rejections(TenantDatabase database) {
        this.database = database;
    }

    /** Best effort: a refusal is answered even when it cannot be recorded. */
    void record(UUID orgId, UUID sourceId, String reason, String detail, String remoteAddress) {
        try {
            database.inTenant(orgId, connection -> {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    insert.setObject(1, orgId);
                    insert.setObject(2, sourceId);
                    insert.setString(3, reason);
                    insert.setString(4, clean(detail, MAX_DETAIL));
                    insert.setString(5, remoteAddress == null ? null : clean(remoteAddress, 100));
                    insert.executeUpdate();
                }
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("Could not record a rejected webhook of source {} ({}): {}", sourceId, reason, e.getMessage());
        }
    }

    /** Control characters replaced (no forged log lines in views), cut to {@code max}. */
    static String clean(String text, int max) {
        String cleaned = text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() > max ? cleaned.substring(0, max - 3) + "..." : cleaned;
    }
}
