package io.switchboard.server.http;

import java.io.IOException;

/**
 * A request body grew beyond {@code switchboard.http.max-request-size} while it was read (a body sent without
 * {@code Content-Length}); answered with 413 problem+json.
 */
public class ContentTooLargeException extends IOException {
    private final long maxBytes;

    public ContentTooLargeException(long maxBytes) {
        super("the request body is larger than " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    /** The limit that was exceeded. */
    public long maxBytes() {
        return maxBytes;
    }
}
