package io.switchboard.server.webhooks.source;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Requests and responses of /api/webhook-sources. Secrets go in, never out: responses carry ids and hints. */
public final class SourceModels {
    private SourceModels() {
    }

    /** {@code POST /api/webhook-sources}. */
    public record CreateSource(String provider, String name, List<String> secrets, Map<String, String> options) {
    }

    /** {@code POST /api/webhook-sources/{id}/secrets}: one more active secret, for a rotation. */
    public record AddSecret(String secret) {
    }

    /** A secret as shown: which one it is, never what it is. */
    public record Secret(UUID id, String hint, Instant createdAt, Instant expiresAt) {
        boolean activeAt(Instant now) {
            return expiresAt == null || expiresAt.isAfter(now);
        }
    }

    /**
     * A configured source.
     *
     * @param ingestionPath where the provider posts its webhooks: {@code /webhooks/{provider}/{id}}
     */
    public record Source(UUID id, String provider, String name, Map<String, String> options, String ingestionPath,
                         Instant createdAt, Instant disabledAt, List<Secret> secrets) {
    }

    static String ingestionPath(String provider, UUID id) {
        return "/webhooks/" + provider + "/" + id;
    }
}
