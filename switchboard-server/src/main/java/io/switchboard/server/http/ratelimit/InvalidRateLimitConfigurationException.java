package io.switchboard.server.http.ratelimit;

/** A setting under {@code switchboard.rate-limit} is invalid: the server refuses to start. */
public class InvalidRateLimitConfigurationException extends RuntimeException {
    InvalidRateLimitConfigurationException(String message) {
        super(message);
    }

    InvalidRateLimitConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
