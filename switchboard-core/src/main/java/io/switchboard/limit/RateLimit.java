package io.switchboard.limit;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A rate-limit policy: at most {@code limit} requests per {@code window} for each client key, enforced with the
 * generic cell rate algorithm (GCRA). A client may spend its whole quota in one burst; after that it earns one
 * request back every {@link #emissionInterval() emission interval} ({@code window / limit}), so the quota refills
 * smoothly instead of all at once when a fixed window ends.
 *
 * <p>The name identifies the policy's state in the database: two policies of the same name share their counters,
 * and changing a policy's limit or window keeps each client's state (it is read against the new values).
 *
 * <pre>{@code
 * RateLimit api = RateLimit.of("api", 100, Duration.ofMinutes(15));
 * }</pre>
 *
 * @param name   1 to {@value #MAX_NAME_LENGTH} characters of {@code A-Z a-z 0-9 . _ : -} (it appears in HTTP headers)
 * @param limit  requests allowed per window, at least 1
 * @param window the window, from 1 ms to 366 days, and at least {@code limit} microseconds long
 */
public record RateLimit(String name, int limit, Duration window) {
    /** Longest policy name. */
    public static final int MAX_NAME_LENGTH = 64;
    /** Longest window. */
    public static final Duration MAX_WINDOW = Duration.ofDays(366);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_NAME_LENGTH + "}");

    /** Validates every component; throws {@link IllegalArgumentException} naming the bad one. */
    public RateLimit {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("rate limit name must be 1 to " + MAX_NAME_LENGTH
                    + " characters of A-Z a-z 0-9 . _ : -, was " + (name == null ? "null" : "'" + name + "'"));
        }
        if (limit < 1) {
            throw new IllegalArgumentException("rate limit '" + name + "': limit must be at least 1, was " + limit);
        }
        Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("rate limit '" + name + "': window must be at least 1 ms, was " + window);
        }
        if (window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("rate limit '" + name + "': window must be at most 366 days, was " + window);
        }
        if (window.toNanos() / 1_000 / limit < 1) {
            throw new IllegalArgumentException("rate limit '" + name + "': " + limit + " per " + window
                    + " is more than one request per microsecond");
        }
    }

    /** {@code limit} requests per {@code window} under {@code name}. */
    public static RateLimit of(String name, int limit, Duration window) {
        return new RateLimit(name, limit, window);
    }

    /**
     * The time in which one request's worth of quota comes back: {@code window / limit}, rounded down to whole
     * microseconds (the database's time resolution). A 100-per-15-minutes policy earns a request every 9 s.
     */
    public Duration emissionInterval() {
        return Duration.ofNanos(emissionIntervalMicros() * 1_000);
    }

    long emissionIntervalMicros() {
        return window.toNanos() / 1_000 / limit;
    }

    /**
     * How far ahead of now a client's theoretical arrival time may run: {@code limit} emission intervals. A full
     * burst of {@code limit} requests fits exactly; one more does not.
     */
    long burstMicros() {
        return emissionIntervalMicros() * limit;
    }

    /** 15m, 1h, 90s, 1500ms. */
    private static String human(Duration d) {
        if (d.toNanos() % 1_000_000_000L != 0) {
            return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toNanos() / 1_000 + "us";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    @Override
    public String toString() {
        return "rate limit '" + name + "' (" + limit + " per " + human(window) + ")";
    }
}
