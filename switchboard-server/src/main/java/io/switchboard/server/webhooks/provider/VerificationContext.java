package io.switchboard.server.webhooks.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a provider verifies a request against: the source's active secrets (several during a rotation; any one
 * may match), the source's provider options (e.g. a header name for the generic provider), the current time and
 * the accepted clock difference for signed timestamps.
 */
public record VerificationContext(List<String> secrets, Map<String, String> options, Instant now, Duration tolerance) {
    /** Default accepted difference between a signed timestamp and now, as Stripe's and Standard Webhooks' libraries use. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    public VerificationContext {
        secrets = List.copyOf(secrets);
        options = Map.copyOf(options);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(tolerance, "tolerance");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("a webhook source needs at least one active secret");
        }
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
    }

    /** A context with the default tolerance. */
    public static VerificationContext of(List<String> secrets, Map<String, String> options, Instant now) {
        return new VerificationContext(secrets, options, now, DEFAULT_TOLERANCE);
    }

    /** An option's value, or {@code fallback} when the source does not set it. */
    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /**
     * Whether {@code text} is 1 to {@code maxDigits} ASCII digits, as a signed timestamp header must be (checked
     * without a regular expression: {@code String.matches} compiles its pattern on every call, i.e. every request).
     */
    public static boolean isDigits(String text, int maxDigits) {
        if (text == null || text.isEmpty() || text.length() > maxDigits) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Refuses a signed timestamp further than the tolerance from now, in either direction. */
    public void checkTimestamp(Instant signedAt) {
        Duration skew = Duration.between(signedAt, now).abs();
        if (skew.compareTo(tolerance) > 0) {
            throw new WebhookRejectedException(RejectionReason.EXPIRED, "signed timestamp " + signedAt + " is "
                    + skew.toSeconds() + " s from the server's time (tolerance " + tolerance.toSeconds() + " s)");
        }
    }
}
