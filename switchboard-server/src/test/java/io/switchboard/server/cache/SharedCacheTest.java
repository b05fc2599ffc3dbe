package io.switchboard.server.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.Switchboard;
import io.switchboard.db.DatabaseException;
import io.switchboard.server.SwitchboardServerApplication;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Two server instances (Spring contexts) on one database: invalidations on one reach the other. */
class SharedCacheTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.dedicated();

    static final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    @BeforeAll
    static void startTwoInstances() {
        a = start("cache-a");
        b = start("cache-b");
    }

    @AfterAll
    static void stopInstances() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[]{a, b}) {
            if (context != null) {
                context.getBean(Switchboard.class).stop(Duration.ofSeconds(5));
                context.close();
            }
        }
    }

    private static ConfigurableApplicationContext start(String instanceId) {
        return new SpringApplicationBuilder(SwitchboardServerApplication.class)
                .initializers(context -> context.getBeanFactory().registerSingleton("testClock", clock))
                .run("--spring.datasource.url=" + db.jdbcUrl(), "--server.port=0",
                        "--switchboard.jobs.instance-id=" + instanceId);
    }

    Caches cachesA;
    Caches cachesB;
    LocalCache<String> reportsA;
    LocalCache<String> reportsB;
    final AtomicInteger loads = new AtomicInteger();

    @BeforeEach
    void caches() {
        cachesA = a.getBean(Caches.class);
        cachesB = b.getBean(Caches.class);
        reportsA = cachesA.cache("reports", Duration.ofMinutes(5), 100);
        reportsB = cachesB.cache("reports", Duration.ofMinutes(5), 100);
        // Wait until B has processed an invalidation sent now, and so every one sent by earlier tests.
        reportsB.get("sentinel", () -> "sentinel");
        cachesA.invalidateAll("reports");
        awaitTrue(() -> reportsB.size() == 0, "B emptied");
    }

    @Test
    void invalidationOnOneInstanceMakesTheOthersNextReadMiss() {
        assertThat(readB("org-1:2030-01")).isEqualTo("value-1");
        assertThat(readB("org-1:2030-01")).isEqualTo("value-1");
        assertThat(loads).hasValue(1);

        cachesA.invalidate("reports", "org-1:2030-01");

        awaitTrue(() -> reportsB.size() == 0, "B dropped the key");
        assertThat(readB("org-1:2030-01")).isEqualTo("value-2");
        assertThat(loads).hasValue(2);
    }

    @Test
    void invalidationInATransactionReachesOtherInstancesOnlyWhenItCommits() throws Exception {
        readB("k");
        readB("marker");
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            cachesA.invalidate(connection, "reports", "k");
            // A later invalidation outside the transaction arrives, the transactional one must not have.
            cachesA.invalidate("reports", "marker");
            awaitTrue(() -> reportsB.size() == 1, "B dropped the marker");
            assertThat(readB("k")).as("still cached: the transaction has not committed").isEqualTo("value-1");

            connection.commit();
        }
        awaitTrue(() -> reportsB.size() == 0, "B dropped k after the commit");
    }

    @Test
    void invalidationInASpringManagedTransactionReachesOtherInstancesOnlyWhenItCommits() throws Exception {
        readB("k");
        readB("marker");
        new TransactionTemplate(a.getBean(PlatformTransactionManager.class)).executeWithoutResult(status -> {
            cachesA.invalidate("reports", "k");
            // A notification committed after it, sent on a connection of its own (the payload format of the wire).
            try (Connection other = db.connect(); Statement s = other.createStatement()) {
                s.execute("SELECT pg_notify('switchboard_cache', 'key:reports:marker')");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            awaitTrue(() -> reportsB.size() == 1, "B dropped the marker");
            assertThat(readB("k")).as("still cached: the transaction has not committed").isEqualTo("value-1");
        });
        awaitTrue(() -> reportsB.size() == 0, "B dropped k after the commit");
    }

    @Test
    void invalidationInARolledBackTransactionNeverReachesOtherInstances() throws Exception {
        readB("k");
        readB("marker");
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            cachesA.invalidate(connection, "reports", "k");
            connection.rollback();
        }
        cachesA.invalidate("reports", "marker");
        awaitTrue(() -> reportsB.size() == 1, "B dropped the marker");
        assertThat(readB("k")).isEqualTo("value-1");
        assertThat(loads).hasValue(2);
    }

    @Test
    void keysTooLongForANotificationAreInvalidatedByTheirHash() {
        String longKey = "q:" + "é".repeat(5_000);
        readB(longKey);
        readB("short");

        cachesA.invalidate("reports", longKey);

        awaitTrue(() -> reportsB.size() == 1, "B dropped the long key");
        readB("short");
        assertThat(loads).as("the short key is still cached").hasValue(2);
    }

    @Test
    void aValueLoadedWhileTheCacheWasInvalidatedIsNotKept() {
        String value = reportsB.get("k", () -> {
            cachesB.invalidate("reports", "k"); // the data changed while we were reading it
            return "stale";
        });

        assertThat(value).isEqualTo("stale");
        assertThat(reportsB.size()).isZero();
    }

    @Test
    void entriesExpireAfterTheirTtl() {
        LocalCache<String> shortLived = cachesB.cache("short-lived", Duration.ofSeconds(30), 10);
        AtomicInteger shortLoads = new AtomicInteger();
        shortLived.get("k", () -> "v" + shortLoads.incrementAndGet());

        clock.advance(Duration.ofSeconds(29));
        assertThat(shortLived.get("k", () -> "v" + shortLoads.incrementAndGet())).isEqualTo("v1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(shortLived.get("k", () -> "v" + shortLoads.incrementAndGet())).isEqualTo("v2");

        assertThat(counter(b, "cache.evictions", "short-lived", "cause", "expired")).isEqualTo(1);
    }

    @Test
    void theLeastRecentlyUsedEntryIsEvictedBeyondTheMaximumSize() {
        LocalCache<String> small = cachesB.cache("small", Duration.ofMinutes(5), 2);
        small.get("a", () -> "A");
        small.get("b", () -> "B");
        small.get("a", () -> "A again");
        small.get("c", () -> "C");

        assertThat(small.size()).isEqualTo(2);
        assertThat(small.get("a", () -> "reloaded")).isEqualTo("A");
        assertThat(small.get("b", () -> "reloaded")).isEqualTo("reloaded");
        assertThat(counter(b, "cache.evictions", "small", "cause", "size")).isEqualTo(2);
    }

    @Test
    void hitsAndMissesAreCountedPerCache() {
        LocalCache<String> counted = cachesB.cache("counted", Duration.ofMinutes(5), 10);
        counted.get("k", () -> "v");
        counted.get("k", () -> "v");
        counted.get("k", () -> "v");

        assertThat(counter(b, "cache.gets", "counted", "result", "miss")).isEqualTo(1);
        assertThat(counter(b, "cache.gets", "counted", "result", "hit")).isEqualTo(2);
    }

    @Test
    void badNamesAndConflictingSettingsAreRefused() {
        assertThatThrownBy(() -> cachesB.cache("no spaces", Duration.ofMinutes(1), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache name");
        assertThatThrownBy(() -> cachesB.cache("reports", Duration.ofMinutes(1), 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists with ttl PT5M");
        assertThatThrownBy(() -> cachesB.cache("zero", Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be positive");
        assertThatThrownBy(() -> cachesB.cache("empty", Duration.ofMinutes(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSize must be at least 1");
        assertThatThrownBy(() -> cachesA.invalidate("bad:name", "k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache name");
    }

    @Test
    void cachesAreClearedWhenTheListenerReconnectsAfterADatabaseRestart() {
        CacheInvalidationListener listenerB = b.getBean(CacheInvalidationListener.class);
        long connectsBefore = listenerB.connects();
        readB("k");
        assertThat(reportsB.size()).isEqualTo(1);

        db.stopServer();
        db.startServer();

        awaitTrue(() -> listenerB.connects() > connectsBefore, "B's listener reconnected");
        assertThat(reportsB.size()).isZero();
        // And invalidations flow again over the new connection, once A's pool has replaced its dead connections
        // (callers get a DatabaseException meanwhile, as for any other query).
        readB("k2");
        awaitTrue(() -> {
            try {
                cachesA.invalidate("reports", "k2");
                return true;
            } catch (DatabaseException e) {
                return false;
            }
        }, "A could send again");
        awaitTrue(() -> reportsB.size() == 0, "B dropped k2");
    }

    private String readB(String key) {
        return reportsB.get(key, () -> "value-" + loads.incrementAndGet());
    }

    private static double counter(ConfigurableApplicationContext context, String name, String cache, String tag, String value) {
        return context.getBean(MeterRegistry.class).get(name).tag("cache", cache).tag(tag, value).counter().count();
    }

    /** Notifications are asynchronous: waits for their effect (a bound against hanging, not a speed assertion). */
    private static void awaitTrue(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("not reached: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
