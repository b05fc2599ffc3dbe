package io.switchboard.idempotency;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The response of the first request under an idempotency key, replayed to its retries. Only 2xx, 3xx and 4xx
 * responses are stored: they are the request's answer. A 5xx (or an exception) says the server failed, so the key
 * is released instead and a retry runs the request again.
 *
 * @param status      HTTP status, 200 to 499
 * @param contentType the body's media type, or {@code null}
 * @param headers     further headers to replay (for example {@code Location}), one value per name
 * @param body        the body bytes (empty if none)
 */
public record StoredResponse(int status, String contentType, Map<String, String> headers, byte[] body) {
    /** Validates and copies. */
    public StoredResponse {
        if (status < 200 || status > 499) {
            throw new IllegalArgumentException("only 2xx to 4xx responses are stored (release the key on a 5xx), status was "
                    + status);
        }
        if (contentType != null && (contentType.isBlank() || !isHeaderValue(contentType))) {
            throw new IllegalArgumentException("contentType must be a non-blank header value without control characters");
        }
        Objects.requireNonNull(headers, "headers");
        Map<String, String> copy = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (name == null || name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
                throw new IllegalArgumentException("header name '" + name + "' is not a valid HTTP header name");
            }
            if (value == null || !isHeaderValue(value)) {
                throw new IllegalArgumentException("header '" + name + "' must have a value without control characters");
            }
            copy.put(name, value);
        });
        headers = Collections.unmodifiableMap(copy);
        body = Objects.requireNonNull(body, "body").clone();
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    private static boolean isHeaderValue(String value) {
        return value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f));
    }
}
