package io.switchboard.server.webhooks.log;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A stats range such as {@code 15m}, {@code 1h}, {@code 24h} or {@code 7d}: minutes, hours or days, up to 90 days. */
record StatsRange(String text, Duration duration) {
    static final Duration MAX = Duration.ofDays(90);
    private static final Pattern FORMAT = Pattern.compile("([1-9][0-9]{0,5})([mhd])");

    static StatsRange parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'range' must be a number followed by m, h or d (e.g. 15m, 24h, 7d), got '"
                    + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'range' must be at most 90d, got '" + text + "'");
        }
        return new StatsRange(text, duration);
    }
}
