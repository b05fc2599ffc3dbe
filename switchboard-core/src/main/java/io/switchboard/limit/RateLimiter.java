package io.switchboard.limit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A rate limiter shared by every instance on one PostgreSQL database: the generic cell rate algorithm (GCRA)
 * with its state, one timestamp per policy and client key, in the table {@code switchboard.rate_limits}.
 *
 * <ul>
 *   <li><b>One statement per decision</b>, in autocommit: no transaction held open, no lock held between round
 *       trips.</li>
 *   <li><b>A denied request writes nothing</b> and takes no row lock: the statement reads the key's state first
 *       and only an admitted request upserts it. Clients hammering past their limit cost the database reads.</li>
 *   <li><b>Exact under concurrency</b>: the upsert re-checks the limit on the locked row, so any number of
 *       instances and threads together admit at most the quota.</li>
 *   <li><b>Database time only</b>: instances with skewed clocks still share one limit.</li>
 * </ul>
 *
 * <pre>{@code
 * RateLimit perClient = RateLimit.of("api", 100, Duration.ofMinutes(15));
 * RateLimitDecision decision = switchboard.rateLimiter().tryAcquire(perClient, "key:" + apiKeyId);
 * if (decision.denied()) {
 *     return tooManyRequests(decision.retryAfter());
 * }
 * }</pre>
 *
 * <p>Keys nobody used for a whole window hold no information (their quota is full) and are deleted by the
 * maintenance schedule {@code switchboard.purge-rate-limits} ({@link #purgeIdle()}). The table is UNLOGGED: a
 * crash of the database server (not a clean restart) resets every limit; see docs/rate-limits.md.
 * Obtain it from {@code Switchboard.rateLimiter()}. Thread-safe.
 */
public final class RateLimiter {
    /** Longest client key. */
    public static final int MAX_KEY_LENGTH = 256;
    /** Keys looked at per statement of the idle-row purge. */
    static final int PURGE_BATCH = 1_000;

    private final DataSource dataSource;
    private final RateLimitMetrics metrics;

    /** A limiter on {@code dataSource} without metrics. The schema must be migrated. */
    public RateLimiter(DataSource dataSource) {
        this(dataSource, new CompositeMeterRegistry());
    }

    /**
     * A limiter on {@code dataSource} counting its decisions in {@code registry}: {@code switchboard.ratelimit.allowed}
     * and {@code switchboard.ratelimit.denied}, tagged {@code policy}. The schema must be migrated.
     */
    public RateLimiter(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.metrics = new RateLimitMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Takes one request from {@code key}'s quota under {@code policy} if it has one left.
     *
     * @throws IllegalArgumentException if the key is null, blank or longer than {@value #MAX_KEY_LENGTH} characters
     * @throws RateLimiterException     if the database could not decide
     */
    public RateLimitDecision tryAcquire(RateLimit policy, String key) {
        return tryAcquire(policy, key, 1);
    }

    /**
     * Takes {@code cost} requests' worth from {@code key}'s quota under {@code policy} if that much is left;
     * otherwise takes nothing. An expensive operation can cost more than a cheap one under one policy.
     *
     * @throws IllegalArgumentException if the key is null, blank or too long, or the cost is below 1 or above the
     *                                  policy's limit (such a request could never be admitted)
     * @throws RateLimiterException     if the database could not decide
     */
    public RateLimitDecision tryAcquire(RateLimit policy, String key, int cost) {
        RateLimitRequest request = new RateLimitRequest(policy, key, cost);
        long inc = inc(request);
        long burst = policy.burstMicros();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(RateLimitSql.ACQUIRE)) {
            int i = 0;
            ps.setString(++i, policy.name());
            ps.setString(++i, key);
            ps.setString(++i, policy.name());
            ps.setString(++i, key);
            ps.setLong(++i, inc);
            ps.setLong(++i, inc);
            ps.setLong(++i, burst);
            ps.setLong(++i, inc);
            ps.setLong(++i, inc);
            ps.setLong(++i, burst);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long seen = rs.getLong(1);
                long taken = rs.getLong(2);
                Long written = rs.wasNull() ? null : taken;
                Decided decided = decide(request, seen, written, seen + inc <= burst, written != null);
                metrics.record(decided.decision(), decided.blocked());
                return decided.decision();
            }
        } catch (SQLException e) {
            throw new RateLimiterException("could not decide " + policy + " for key '" + key + "'", e);
        }
    }

    /**
     * Applies several policies to one request at once, all or nothing: the request is admitted only if every
     * policy admits it, and then each takes its cost; if any denies, none takes anything. One statement, whatever
     * the number of policies. Typical use: a general per-client limit and a stricter one for an expensive endpoint,
     * or a per-client and a per-organisation limit.
     *
     * <p>Every decision returned has the same {@link RateLimitDecision#allowed() allowed}. Each one's
     * {@link RateLimitDecision#retryAfter() retryAfter} says when its own policy would admit the request (zero for
     * policies that did not stand in the way); the request as a whole may be retried after the longest of them.
     * Under a race between instances, a request can be refused by one policy after another already took its cost:
     * the limits are never exceeded, at worst a refused request is counted against another policy.
     *
     * @param requests at least one; no (policy name, key) pair twice
     * @return one decision per request, in the same order
     * @throws IllegalArgumentException if the list is empty or names a (policy, key) pair twice
     * @throws RateLimiterException     if the database could not decide
     */
    public List<RateLimitDecision> tryAcquireAll(List<RateLimitRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("at least one rate limit request is needed");
        }
        if (requests.size() == 1) {
            RateLimitRequest only = Objects.requireNonNull(requests.getFirst(), "request");
            return List.of(tryAcquire(only.policy(), only.key(), only.cost()));
        }
        int n = requests.size();
        String[] policies = new String[n];
        String[] keys = new String[n];
        Long[] incs = new Long[n];
        Long[] bursts = new Long[n];
        Set<List<String>> seenPairs = new HashSet<>();
        for (int i = 0; i < n; i++) {
            RateLimitRequest r = Objects.requireNonNull(requests.get(i), "request");
            if (!seenPairs.add(List.of(r.policy().name(), r.key()))) {
                throw new IllegalArgumentException("rate limit '" + r.policy().name() + "' is applied to key '" + r.key()
                        + "' twice in one request");
            }
            policies[i] = r.policy().name();
            keys[i] = r.key();
            incs[i] = inc(r);
            bursts[i] = r.policy().burstMicros();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(RateLimitSql.ACQUIRE_ALL)) {
            Array policyArray = connection.createArrayOf("text", policies);
            Array keyArray = connection.createArrayOf("text", keys);
            Array incArray = connection.createArrayOf("bigint", incs);
            Array burstArray = connection.createArrayOf("bigint", bursts);
            ps.setArray(1, policyArray);
            ps.setArray(2, keyArray);
            ps.setArray(3, incArray);
            ps.setArray(4, burstArray);
            List<RateLimitDecision> decisions = new ArrayList<>(n);
            try (ResultSet rs = ps.executeQuery()) {
                long[] seen = new long[n];
                Long[] taken = new Long[n];
                boolean readAdmitsAll = true;
                boolean allTaken = true;
                for (int i = 0; i < n; i++) {
                    if (!rs.next()) {
                        throw new SQLException("rate limit statement returned " + i + " rows for " + n + " requests");
                    }
                    seen[i] = rs.getLong(1);
                    long t = rs.getLong(2);
                    taken[i] = rs.wasNull() ? null : t;
                    readAdmitsAll &= rs.getBoolean(3);
                    allTaken &= taken[i] != null;
                }
                for (int i = 0; i < n; i++) {
                    Decided decided = decide(requests.get(i), seen[i], taken[i], readAdmitsAll, allTaken);
                    metrics.record(decided.decision(), decided.blocked());
                    decisions.add(decided.decision());
                }
            }
            return decisions;
        } catch (SQLException e) {
            throw new RateLimiterException("could not decide rate limits " + policiesOf(requests), e);
        }
    }

    /**
     * Requests of cost 1 {@code key} could make under {@code policy} right now, read without taking any. For
     * display and tests; a decision needs {@link #tryAcquire}.
     */
    public int available(RateLimit policy, String key) {
        Objects.requireNonNull(policy, "policy");
        requireKey(key);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(RateLimitSql.PEEK)) {
            ps.setString(1, policy.name());
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                long ahead = rs.next() ? Math.max(0, rs.getLong(1)) : 0;
                return remaining(policy, ahead);
            }
        } catch (SQLException e) {
            throw new RateLimiterException("could not read " + policy + " for key '" + key + "'", e);
        }
    }

    /**
     * Deletes the state of every idle key (whose quota is full again: deleting it changes no decision), in
     * batches of {@value #PURGE_BATCH} keys per statement so that no statement runs long. Run by the maintenance
     * schedule {@code switchboard.purge-rate-limits}.
     *
     * @return how many keys were deleted
     */
    public long purgeIdle() {
        long purged = 0;
        String policy = "";
        String key = "";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(RateLimitSql.PURGE_BATCH)) {
            while (true) {
                ps.setString(1, policy);
                ps.setString(2, key);
                ps.setInt(3, PURGE_BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long looked = rs.getLong(1);
                    purged += rs.getLong(2);
                    if (looked < PURGE_BATCH) {
                        return purged;
                    }
                    policy = rs.getString(3);
                    key = rs.getString(4);
                }
            }
        } catch (SQLException e) {
            throw new RateLimiterException("could not purge idle rate-limit keys", e);
        }
    }

    static void requireKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("rate limit key must not be " + (key == null ? "null" : "blank"));
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("rate limit key must be at most " + MAX_KEY_LENGTH + " characters, was "
                    + key.length());
        }
    }

    private static long inc(RateLimitRequest request) {
        return request.policy().emissionIntervalMicros() * request.cost();
    }

    /**
     * The decision for one request from what the statement returned: {@code seen}, how far the TAT the read found
     * was ahead of now (µs, at least 0), and {@code taken}, how far the TAT written is ahead of now (µs), or null
     * if this row was not written. {@code readAdmitsAll}: the read admitted every policy of the request;
     * {@code admitted}: every policy's row was written.
     */
    private static Decided decide(RateLimitRequest request, long seen, Long taken, boolean readAdmitsAll,
                                  boolean admitted) {
        RateLimit policy = request.policy();
        String key = request.key();
        long burst = policy.burstMicros();
        long inc = inc(request);
        if (taken != null) {
            // Written. Not admitted only if another policy of the request lost a race: this one was no obstacle.
            return new Decided(new RateLimitDecision(policy, key, admitted, remaining(policy, taken), micros(taken),
                    Duration.ZERO), false);
        }
        if (!readAdmitsAll) {
            // Refused by the read: nothing was written or locked.
            long retry = seen + inc - burst;
            return new Decided(new RateLimitDecision(policy, key, false, remaining(policy, seen), micros(seen),
                    micros(retry)), retry > 0);
        }
        // The read admitted it, the re-check on the locked row did not: concurrent requests took the quota first.
        // The current TAT is unknown here; it lies within one cost of the limit, so these are upper bounds.
        return new Decided(new RateLimitDecision(policy, key, false, 0, micros(burst), micros(inc)), true);
    }

    /** A decision and whether its policy stood in the way of the request. */
    private record Decided(RateLimitDecision decision, boolean blocked) {
    }

    private static int remaining(RateLimit policy, long aheadMicros) {
        long left = (policy.burstMicros() - Math.max(0, aheadMicros)) / policy.emissionIntervalMicros();
        return (int) Math.max(0, Math.min(policy.limit(), left));
    }

    private static Duration micros(long micros) {
        return Duration.ofNanos(Math.max(0, micros) * 1_000);
    }

    private static String policiesOf(List<RateLimitRequest> requests) {
        return requests.stream().map(r -> r.policy().name() + "/" + r.key()).toList().toString();
    }
}
