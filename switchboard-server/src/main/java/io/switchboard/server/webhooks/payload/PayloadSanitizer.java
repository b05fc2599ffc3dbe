package io.switchboard.server.webhooks.payload;

import tools.jackson.databind.JsonNode;

/**
 * The derived, sanitized copy of an event's payload stored beside the raw body. Placeholder until the processing
 * work (issue 5, item 4) provides the real sanitizer under this name: for now the provider's parsed JSON as is.
 */
public final class PayloadSanitizer {
    private PayloadSanitizer() {
    }

    /** The sanitized copy of {@code payload}; the argument is not modified. */
    public static JsonNode sanitize(JsonNode payload) {
        return payload;
    }
}
