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

    /** Refuses a signed timestamp further than the tolerance from now, in either direction. */
    public void checkTimestamp(Instant signedAt) {
        Duration skew = Duration.between(signedAt, now).abs();
        if (skew.compareTo(tolerance) > 0) {
            throw new WebhookRejectedException(RejectionReason.EXPIRED, "signed timestamp " + signedAt + " is "
                    + skew.toSeconds() + " s from the server's time (tolerance " + tolerance.toSeconds() + " s)");
        }
    }
}
