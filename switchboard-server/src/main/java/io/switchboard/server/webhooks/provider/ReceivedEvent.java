package io.switchboard.server.webhooks.provider;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Objects;

/**
 * A verified event's identity: the key its copies share (the first copy wins, later ones are duplicates), its
 * type, when the provider says it happened (null when the provider does not send it) and the parsed payload.
 */
public record ReceivedEvent(String dedupeKey, String eventType, Instant occurredAt, JsonNode payload) {
    /** Longest dedupe key stored; longer ones (built from provider fields) are refused as malformed. */
    public static final int MAX_DEDUPE_KEY = 300;

    public ReceivedEvent {
        Objects.requireNonNull(payload, "payload");
        if (dedupeKey == null || dedupeKey.isBlank() || dedupeKey.length() > MAX_DEDUPE_KEY) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY,
                    "the event has no usable id (blank or longer than " + MAX_DEDUPE_KEY + " characters)");
        }
        if (eventType == null || eventType.isBlank() || eventType.length() > 200) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY, "the event has no usable type");
        }
    }
}
