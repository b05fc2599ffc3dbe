package io.switchboard.server.http.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.server.http.ratelimit.RateLimitProperties.FailMode;
import io.switchboard.server.http.ratelimit.RateLimitProperties.OutageSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the filter does while the limiter's database cannot be reached: the configured fail mode per request
 * kind, no database attempt for {@code probe-interval} after a failure by requests that would be served anyway (so
 * an outage does not add a connection timeout to every one of them), and a log line at most every
 * {@value #LOG_EVERY_SECONDS} s instead of one per request. Counts {@code switchboard.ratelimit.unavailable} by outcome (served, refused).
 */
final class LimiterOutage {
    static final long LOG_EVERY_SECONDS = 30;
    private static final Logger log = LoggerFactory.getLogger(LimiterOutage.class);

    private final OutageSettings settings;
    private final long probeNanos;
    private final long logEveryNanos;
    private final Counter served;
    private final Counter refused;
    /** Zero when the database answered last; otherwise when the next request may try it again (nanoTime). */
    private volatile long retryAt;
    private volatile boolean down;
    private final AtomicLong lastLogAt = new AtomicLong();
    private final LongAdder servedSinceLog = new LongAdder();
    private final LongAdder refusedSinceLog = new LongAdder();

    LimiterOutage(OutageSettings settings, MeterRegistry registry) {
        this(settings, registry, Duration.ofSeconds(LOG_EVERY_SECONDS));
    }

    LimiterOutage(OutageSettings settings, MeterRegistry registry, Duration logEvery) {
        this.settings = settings;
        this.probeNanos = settings.probeInterval().toNanos();
        this.logEveryNanos = logEvery.toNanos();
        this.served = Counter.builder("switchboard.ratelimit.unavailable").tag("outcome", "served")
                .description("Requests served without a rate-limit decision because the database was unreachable")
                .register(registry);
        this.refused = Counter.builder("switchboard.ratelimit.unavailable").tag("outcome", "refused")
                .description("Requests refused (503) because the rate limiter's database was unreachable")
                .register(registry);
    }

    /** Whether requests should skip the database for now (a recent attempt failed). */
    boolean skipDatabase() {
        long at = retryAt;
        return at != 0 && System.nanoTime() - at < 0;
    }

    /** The database answered: the outage, if any, is over. */
    void recovered() {
        if (down) {
            synchronized (this) {
                if (down) {
                    down = false;
                    retryAt = 0;
                    log.info("Rate limiter's database is reachable again; requests are limited again ({} served and {} "
                            + "refused without a decision since the last message)", servedSinceLog.sumThenReset(),
                            refusedSinceLog.sumThenReset());
                    lastLogAt.set(0);
                }
            }
        }
    }

    /** A decision failed on the database. */
    void failed(RuntimeException e) {
        down = true;
        retryAt = System.nanoTime() + Math.max(1, probeNanos);
        maybeLog(e.getMessage());
    }

    /** Whether a request of this kind is served (open), not refused (closed), when no decision can be made. */
    boolean servedWithoutDecision(boolean read) {
        return (read ? settings.reads() : settings.writes()) == FailMode.OPEN;
    }

    /** Counts a request of this kind handled without a decision; true if it is served, false if refused. */
    boolean serve(boolean read) {
        boolean open = servedWithoutDecision(read);
        if (open) {
            served.increment();
            servedSinceLog.increment();
        } else {
            refused.increment();
            refusedSinceLog.increment();
        }
        return open;
    }

    private void maybeLog(String cause) {
        long now = System.nanoTime();
        long last = lastLogAt.get();
        if ((last == 0 || now - last >= logEveryNanos) && lastLogAt.compareAndSet(last, now == 0 ? 1 : now)) {
            long servedBefore = servedSinceLog.sumThenReset();
            long refusedBefore = refusedSinceLog.sumThenReset();
            if (last == 0) {
                log.warn("Rate limiter cannot reach its database ({}); until it answers again, reads are {} and writes {} "
                                + "(next message in {} s at the earliest)", cause, describe(settings.reads()),
                        describe(settings.writes()), logEveryNanos / 1_000_000_000L);
            } else {
                log.warn("Rate limiter still cannot reach its database ({}); {} requests served and {} refused without a "
                        + "decision since the last message", cause, servedBefore, refusedBefore);
            }
        }
    }

    private static String describe(FailMode mode) {
        return mode == FailMode.OPEN ? "served unlimited" : "refused with 503";
    }
}
