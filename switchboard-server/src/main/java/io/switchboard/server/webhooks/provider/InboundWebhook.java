package io.switchboard.server.webhooks.provider;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A webhook request as received: its headers (names case-insensitive) and its raw body, byte for byte. Signatures
 * are computed over these bytes, never over a re-serialised form.
 */
public record InboundWebhook(Map<String, List<String>> headers, byte[] body) {

    public InboundWebhook {
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Objects.requireNonNull(headers, "headers").forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = Collections.unmodifiableMap(copy);
    }

    /** A request with one value per header. */
    public static InboundWebhook of(Map<String, String> headers, byte[] body) {
        TreeMap<String, List<String>> multi = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return new InboundWebhook(multi, body);
    }

    /**
     * The single value of a header, or null when absent.
     *
     * @throws WebhookRejectedException when the header is sent more than once (ambiguous, so refused)
     */
    public String header(String name) {
        List<String> values = headers.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, "header " + name + " was sent "
                    + values.size() + " times");
        }
        return values.getFirst();
    }

    /** The value of a required signature header. */
    public String requiredHeader(String name) {
        String value = header(name);
        if (value == null || value.isBlank()) {
            throw new WebhookRejectedException(RejectionReason.MISSING_SIGNATURE, "header " + name + " is missing");
        }
        return value;
    }
}
