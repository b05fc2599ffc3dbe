package io.switchboard.limit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.Switchboard;
import io.switchboard.db.SchemaMigration;
import io.switchboard.schedule.ScheduleStatus;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private SimpleMeterRegistry meters;
    private RateLimiter limiter;

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(24);
        SchemaMigration.migrate(ds);
    }

    @BeforeEach
    void setUp() throws SQLException {
        execute("TRUNCATE switchboard.rate_limits");
        meters = new SimpleMeterRegistry();
        limiter = new RateLimiter(ds, meters);
    }

    @Test
    void admitsExactlyTheLimitInABurstThenDenies() {
        RateLimit policy = RateLimit.of("burst", 5, Duration.ofMinutes(1));

        for (int i = 0; i < 5; i++) {
            RateLimitDecision decision = limiter.tryAcquire(policy, "client-a");
            assertThat(decision.allowed()).as("request %d", i + 1).isTrue();
            assertThat(decision.remaining()).isEqualTo(4 - i);
            assertThat(decision.limit()).isEqualTo(5);
            assertThat(decision.retryAfter()).isZero();
            // Each admitted request pushes the full refill 12 s (window / limit) further out.
            assertThat(decision.resetAfter()).isBetween(Duration.ofSeconds(12L * (i + 1) - 1), Duration.ofSeconds(12L * (i + 1)));
        }
        RateLimitDecision denied = limiter.tryAcquire(policy, "client-a");

        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        // The next request's worth comes back one emission interval after the first of the burst.
        assertThat(denied.retryAfter()).isBetween(Duration.ofSeconds(11), Duration.ofSeconds(12));
        assertThat(denied.resetAfter()).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60));
        assertThat(meters.counter("switchboard.ratelimit.allowed", "policy", "burst").count()).isEqualTo(5);
        assertThat(meters.counter("switchboard.ratelimit.denied", "policy", "burst").count()).isEqualTo(1);
    }

    @Test
    void refillsOneRequestPerEmissionIntervalOnDatabaseTime() throws Exception {
        RateLimit policy = RateLimit.of("refill", 3, Duration.ofSeconds(2));
        assertThat(policy.emissionInterval()).isEqualTo(Duration.ofNanos(666_666_000));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(policy, "k").allowed()).isTrue();
        }
        RateLimitDecision denied = limiter.tryAcquire(policy, "k");
        long deniedAt = databaseMicros();
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(policy.emissionInterval());

        // Just before the database says one request is back, it is still denied ...
        Duration early = denied.retryAfter().minusMillis(250);
        if (early.isPositive()) {
            Thread.sleep(early.toMillis());
            assertThat(limiter.tryAcquire(policy, "k").allowed()).isFalse();
        }
        awaitDatabaseTime(deniedAt, denied.retryAfter());
        // ... after it, exactly one is, and then the next one waits a whole emission interval.
        assertThat(limiter.tryAcquire(policy, "k").allowed()).isTrue();
        RateLimitDecision next = limiter.tryAcquire(policy, "k");
        assertThat(next.allowed()).isFalse();
        assertThat(next.retryAfter()).isBetween(policy.emissionInterval().minusMillis(200), policy.emissionInterval());

        // After a whole window of silence the full burst is back.
        awaitDatabaseTime(policy.window());
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(policy, "k").allowed()).as("request %d after the window", i + 1).isTrue();
        }
        assertThat(limiter.tryAcquire(policy, "k").allowed()).isFalse();
    }

    @Test
    void aDeniedRequestWritesAndLocksNothing() throws Exception {
        RateLimit policy = RateLimit.of("no-write", 2, Duration.ofHours(1));
        limiter.tryAcquire(policy, "hammer");
        limiter.tryAcquire(policy, "hammer");
        String before = rowVersion("no-write", "hammer");

        for (int i = 0; i < 50; i++) {
            assertThat(limiter.tryAcquire(policy, "hammer").allowed()).isFalse();
            assertThat(limiter.tryAcquireAll(List.of(RateLimitRequest.of(policy, "hammer"),
                    RateLimitRequest.of(RateLimit.of("other", 10, Duration.ofHours(1)), "hammer"))).getFirst().allowed()).isFalse();
        }

        // Same tuple version (ctid, xmin) and no locker recorded in xmax: no update, no row lock.
        assertThat(rowVersion("no-write", "hammer")).isEqualTo(before);
        assertThat(count("SELECT count(*) FROM switchboard.rate_limits WHERE policy = 'other'")).isZero();

        // Stronger: inside an open transaction, a denied decision does not even get a transaction id, which any
        // write or row lock would need. (An admitted one does, which shows the check can see it.)
        try (Connection connection = ds.getConnection()) {
            connection.setAutoCommit(false);
            RateLimiter onThisTransaction = new RateLimiter(singleConnection(connection));
            assertThat(onThisTransaction.tryAcquire(policy, "hammer").allowed()).isFalse();
            assertThat(onThisTransaction.tryAcquireAll(List.of(RateLimitRequest.of(RateLimit.of("fresh", 5, Duration.ofHours(1)), "hammer"),
                    RateLimitRequest.of(policy, "hammer"))).getFirst().allowed()).isFalse();
            assertThat(transactionId(connection)).as("transaction id after denied decisions").isNull();
            assertThat(onThisTransaction.tryAcquire(policy, "someone-else").allowed()).isTrue();
            assertThat(transactionId(connection)).as("transaction id after an admitted decision").isNotNull();
            connection.rollback();
        }
    }

    @Test
    void concurrentRequestsOnOneKeyAdmitExactlyTheLimit() throws Exception {
        RateLimit policy = RateLimit.of("race", 100, Duration.ofHours(1));
        int threads = 16;
        int attemptsEach = 25;

        List<Integer> admitted = race(threads, () -> {
            int mine = 0;
            for (int i = 0; i < attemptsEach; i++) {
                if (limiter.tryAcquire(policy, "hot-key").allowed()) {
                    mine++;
                }
            }
            return mine;
        });

        assertThat(admitted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(limiter.available(policy, "hot-key")).isZero();
        assertThat(meters.counter("switchboard.ratelimit.allowed", "policy", "race").count()).isEqualTo(100);
        assertThat(meters.counter("switchboard.ratelimit.denied", "policy", "race").count()).isEqualTo(threads * attemptsEach - 100);
    }

    @Test
    void concurrentAllOrNothingRequestsNeverExceedAnyPolicy() throws Exception {
        RateLimit strict = RateLimit.of("strict", 40, Duration.ofHours(1));
        RateLimit general = RateLimit.of("general", 100, Duration.ofHours(1));
        List<RateLimitRequest> both = List.of(RateLimitRequest.of(general, "c"), RateLimitRequest.of(strict, "c"));

        List<Integer> admitted = race(16, () -> {
            int mine = 0;
            for (int i = 0; i < 20; i++) {
                List<RateLimitDecision> decisions = limiter.tryAcquireAll(both);
                assertThat(decisions).extracting(RateLimitDecision::allowed).containsOnly(decisions.getFirst().allowed());
                if (decisions.getFirst().allowed()) {
                    mine++;
                }
            }
            return mine;
        });

        assertThat(admitted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
        assertThat(limiter.available(strict, "c")).isZero();
        // The general policy paid for the 40 admitted requests; a request refused in a race may have cost it one
        // more, never fewer.
        assertThat(limiter.available(general, "c")).isLessThanOrEqualTo(60);
    }

    @Test
    void keysAndPoliciesAreIndependent() {
        RateLimit policy = RateLimit.of("indep", 3, Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire(policy, "alice");
        }
        assertThat(limiter.tryAcquire(policy, "alice").allowed()).isFalse();

        RateLimitDecision bob = limiter.tryAcquire(policy, "bob");
        assertThat(bob.allowed()).isTrue();
        assertThat(bob.remaining()).isEqualTo(2);
        RateLimitDecision otherPolicy = limiter.tryAcquire(RateLimit.of("indep-2", 3, Duration.ofHours(1)), "alice");
        assertThat(otherPolicy.allowed()).isTrue();
        assertThat(otherPolicy.remaining()).isEqualTo(2);
    }

    @Test
    void aCostTakesThatManyRequestsOrNothing() {
        RateLimit policy = RateLimit.of("cost", 5, Duration.ofMinutes(5));

        RateLimitDecision three = limiter.tryAcquire(policy, "k", 3);
        assertThat(three.allowed()).isTrue();
        assertThat(three.remaining()).isEqualTo(2);

        RateLimitDecision tooDear = limiter.tryAcquire(policy, "k", 3);
        assertThat(tooDear.allowed()).isFalse();
        assertThat(tooDear.remaining()).isEqualTo(2);
        // One emission interval (60 s) brings the third unit back.
        assertThat(tooDear.retryAfter()).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60));
        assertThat(limiter.available(policy, "k")).isEqualTo(2);
        assertThat(limiter.tryAcquire(policy, "k", 2).allowed()).isTrue();
    }

    @Test
    void allOrNothingTakesFromNoPolicyWhenOneDenies() {
        RateLimit strict = RateLimit.of("expensive", 2, Duration.ofMinutes(15));
        RateLimit general = RateLimit.of("api", 5, Duration.ofMinutes(15));
        List<RateLimitRequest> both = List.of(RateLimitRequest.of(general, "client:1"), RateLimitRequest.of(strict, "client:1"));

        assertThat(limiter.tryAcquireAll(both)).extracting(RateLimitDecision::allowed).containsExactly(true, true);
        List<RateLimitDecision> second = limiter.tryAcquireAll(both);
        assertThat(second).extracting(RateLimitDecision::remaining).containsExactly(3, 0);
        List<RateLimitDecision> third = limiter.tryAcquireAll(both);

        assertThat(third).extracting(RateLimitDecision::allowed).containsExactly(false, false);
        assertThat(third.get(0).retryAfter()).as("the general policy was no obstacle").isZero();
        assertThat(third.get(0).remaining()).isEqualTo(3);
        assertThat(third.get(1).retryAfter()).isBetween(Duration.ofMinutes(7), Duration.ofSeconds(450));
        assertThat(limiter.available(general, "client:1")).as("nothing taken from the general policy").isEqualTo(3);
        assertThat(meters.counter("switchboard.ratelimit.denied", "policy", "api").count()).isZero();
        assertThat(meters.counter("switchboard.ratelimit.denied", "policy", "expensive").count()).isEqualTo(1);
        // Other endpoints, under the general policy alone, still get its remaining quota.
        assertThat(limiter.tryAcquire(general, "client:1").remaining()).isEqualTo(2);
    }

    @Test
    void badInputIsRejectedWithAClearMessage() throws Exception {
        RateLimit policy = RateLimit.of("valid", 10, Duration.ofMinutes(1));

        assertThatThrownBy(() -> limiter.tryAcquire(policy, " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> limiter.tryAcquire(policy, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> limiter.tryAcquire(policy, "k".repeat(257))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 256 characters");
        assertThat(limiter.tryAcquire(policy, "k".repeat(256)).allowed()).isTrue();
        assertThatThrownBy(() -> limiter.tryAcquire(policy, "k", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cost must be at least 1");
        assertThatThrownBy(() -> limiter.tryAcquire(policy, "k", 11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the limit");
        assertThatThrownBy(() -> RateLimit.of("p", 0, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit must be at least 1");
        assertThatThrownBy(() -> RateLimit.of("p", 10, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window must be at least 1 ms");
        assertThatThrownBy(() -> RateLimit.of("p", 10, Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window must be at least 1 ms");
        assertThatThrownBy(() -> RateLimit.of("p", 10, Duration.ofDays(400))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 366 days");
        assertThatThrownBy(() -> RateLimit.of("p", 10, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RateLimit.of("p", 2_000, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than one request per microsecond");
        assertThatThrownBy(() -> RateLimit.of("", 1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> RateLimit.of("has space", 1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A-Z a-z 0-9 . _ : -");
        assertThatThrownBy(() -> RateLimit.of("x".repeat(65), 1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.tryAcquireAll(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> limiter.tryAcquireAll(List.of(RateLimitRequest.of(policy, "k"), RateLimitRequest.of(policy, "k"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> limiter.tryAcquire(null, "k")).isInstanceOf(NullPointerException.class);
        // Nothing was stored by the refused calls beyond the one valid request.
        assertThat(count("SELECT count(*) FROM switchboard.rate_limits")).isEqualTo(1);
    }

    @Test
    void purgeDeletesIdleKeysOnlyInBatches() throws Exception {
        // 2,500 idle keys (more than two purge batches) around 3 keys still within their window.
        execute("""
                INSERT INTO switchboard.rate_limits (policy, key, tat)
                SELECT 'idle', 'k' || i, now() - interval '1 second' FROM generate_series(1, 2500) i""");
        RateLimit busy = RateLimit.of("busy", 10, Duration.ofHours(1));
        for (String key : List.of("a", "m", "z")) {
            limiter.tryAcquire(busy, key);
        }
        RateLimit brief = RateLimit.of("brief", 10, Duration.ofMillis(200));
        limiter.tryAcquire(brief, "soon-idle");
        awaitDatabaseTime(Duration.ofMillis(50));

        assertThat(limiter.purgeIdle()).isEqualTo(2501);

        assertThat(count("SELECT count(*) FROM switchboard.rate_limits")).isEqualTo(3);
        assertThat(limiter.available(busy, "a")).isEqualTo(9);
        assertThat(limiter.purgeIdle()).isZero();
    }

    @Test
    void stateLivesInAnUnloggedTable() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT relpersistence FROM pg_class WHERE oid = 'switchboard.rate_limits'::regclass")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("u");
        }
    }

    @Test
    void theFacadeOffersTheLimiterAndItsPurgeSchedule() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Switchboard switchboard = Switchboard.builder(ds).meterRegistry(registry).build().start();
        try {
            RateLimitDecision decision = switchboard.rateLimiter().tryAcquire(RateLimit.of("facade", 1, Duration.ofHours(1)), "k");
            assertThat(decision.allowed()).isTrue();
            assertThat(switchboard.rateLimiter().tryAcquire(RateLimit.of("facade", 1, Duration.ofHours(1)), "k").allowed()).isFalse();
            assertThat(registry.counter("switchboard.ratelimit.allowed", "policy", "facade").count()).isEqualTo(1);
            assertThat(registry.counter("switchboard.ratelimit.denied", "policy", "facade").count()).isEqualTo(1);
            assertThat(switchboard.schedules().list()).extracting(ScheduleStatus::name).contains("switchboard.purge-rate-limits");
        } finally {
            switchboard.close();
        }
    }

    @Test
    void anUnreachableDatabaseIsADatabaseException() {
        RateLimiter broken = new RateLimiter(singleConnection(null));
        assertThatThrownBy(() -> broken.tryAcquire(RateLimit.of("p", 1, Duration.ofMinutes(1)), "k"))
                .isInstanceOf(RateLimiterException.class)
                .isInstanceOf(io.switchboard.db.DatabaseException.class)
                .hasMessageContaining("could not decide rate limit 'p'");
    }

    private static List<Integer> race(int threads, Callable<Integer> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            }
            start.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sleeps until the database's clock has advanced by {@code duration} (plus a little), whatever the JVM's says. */
    private static void awaitDatabaseTime(Duration duration) throws Exception {
        awaitDatabaseTime(databaseMicros(), duration);
    }

    /** Sleeps until the database's clock reads {@code startMicros} + {@code duration} (plus a little). */
    private static void awaitDatabaseTime(long start, Duration duration) throws Exception {
        long target = start + duration.toNanos() / 1_000 + 20_000;
        long now;
        while ((now = databaseMicros()) < target) {
            Thread.sleep(Math.max(1, (target - now) / 1_000));
        }
    }

    private static long databaseMicros() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String rowVersion(String policy, String key) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT ctid::text || ' xmin=' || xmin::text || ' xmax=' || xmax::text || ' tat=' || tat::text "
                             + "FROM switchboard.rate_limits WHERE policy = ? AND key = ?")) {
            ps.setString(1, policy);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static String transactionId(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_xact_id_if_assigned()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * A DataSource handing out {@code connection} (its close() does nothing), so the limiter's statements run in
     * the test's transaction; with null, a DataSource whose every connection attempt fails.
     */
    private static DataSource singleConnection(Connection connection) {
        return (DataSource) Proxy.newProxyInstance(RateLimiterTest.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getConnection" -> {
                        if (connection == null) {
                            throw new SQLException("Connection refused", "08001");
                        }
                        yield Proxy.newProxyInstance(RateLimiterTest.class.getClassLoader(), new Class<?>[]{Connection.class},
                                (p, m, a) -> {
                                    if (m.getName().equals("close")) {
                                        return null;
                                    }
                                    try {
                                        return m.invoke(connection, a);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
                    }
                    case "getLogWriter" -> (PrintWriter) null;
                    case "getLoginTimeout" -> 0;
                    case "getParentLogger" -> Logger.getGlobal();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test DataSource";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
