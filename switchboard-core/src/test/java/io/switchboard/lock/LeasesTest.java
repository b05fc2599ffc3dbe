package io.switchboard.lock;

import io.switchboard.db.SchemaMigration;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeasesTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private Leases alice;
    private Leases bob;

    @BeforeAll
    static void migrate() throws Exception {
        ds = db.dataSource(20);
        SchemaMigration.migrate(ds);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE guarded (id int PRIMARY KEY, value text, fence bigint)");
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE switchboard.leases, guarded");
            s.execute("INSERT INTO guarded VALUES (1, 'initial', 0)");
        }
        alice = new Leases(ds, "alice");
        bob = new Leases(ds, "bob");
    }

    @AfterEach
    void tearDown() {
        alice.close();
        bob.close();
    }

    @Test
    void onlyOneHolderAtATime() {
        Optional<Lease> first = alice.tryAcquire("nightly-report", LeaseOptions.fixed(Duration.ofSeconds(30)));
        assertThat(first).isPresent();
        assertThat(bob.tryAcquire("nightly-report", LeaseOptions.fixed(Duration.ofSeconds(30)))).isEmpty();
        assertThat(bob.listHeld()).extracting(LeaseInfo::instanceId).containsExactly("alice");
        first.get().release();
        assertThat(bob.tryAcquire("nightly-report", LeaseOptions.fixed(Duration.ofSeconds(30)))).isPresent();
    }

    @Test
    void fencingTokenStrictlyIncreasesForEveryNewHolder() throws Exception {
        List<Long> tokens = new ArrayList<>();
        Lease a = alice.tryAcquire("deploy", LeaseOptions.fixed(Duration.ofMillis(200))).orElseThrow();
        tokens.add(a.fencingToken());
        a.release();
        Lease b = bob.tryAcquire("deploy", LeaseOptions.fixed(Duration.ofMillis(200))).orElseThrow();
        tokens.add(b.fencingToken());
        Thread.sleep(300); // b lapses without release: takeover after expiry
        Lease c = alice.tryAcquire("deploy", LeaseOptions.fixed(Duration.ofMillis(200))).orElseThrow();
        tokens.add(c.fencingToken());
        try (Connection conn = ds.getConnection(); Statement s = conn.createStatement()) {
            s.execute("DELETE FROM switchboard.leases"); // even if rows are deleted, tokens never go back
        }
        tokens.add(bob.tryAcquire("deploy", LeaseOptions.fixed(Duration.ofMillis(200))).orElseThrow().fencingToken());
        assertThat(tokens).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void leaseLapsesOnDatabaseTimeWithoutKeepAlive() throws Exception {
        alice.tryAcquire("short", LeaseOptions.fixed(Duration.ofMillis(300))).orElseThrow();
        assertThat(bob.tryAcquire("short", LeaseOptions.fixed(Duration.ofMillis(300)))).isEmpty();
        Thread.sleep(400);
        assertThat(bob.tryAcquire("short", LeaseOptions.fixed(Duration.ofMillis(300)))).isPresent();
    }

    @Test
    void keepAliveHoldsTheLeaseWellPastItsTtl() throws Exception {
        Lease lease = alice.tryAcquire("long-job", LeaseOptions.keptAlive(Duration.ofMillis(300))).orElseThrow();
        Thread.sleep(1_200);
        assertThat(lease.isHeld()).isTrue();
        assertThat(bob.tryAcquire("long-job", LeaseOptions.fixed(Duration.ofSeconds(1)))).isEmpty();
        lease.close();
        assertThat(bob.tryAcquire("long-job", LeaseOptions.fixed(Duration.ofSeconds(1)))).isPresent();
    }

    @Test
    void pausedHolderCannotWriteWithItsStaleToken() throws Exception {
        Lease stale = alice.tryAcquire("ledger", LeaseOptions.fixed(Duration.ofMillis(300))).orElseThrow();
        Thread.sleep(400); // a GC pause longer than the TTL
        Lease fresh = bob.tryAcquire("ledger", LeaseOptions.fixed(Duration.ofSeconds(30))).orElseThrow();
        assertThat(fresh.fencingToken()).isGreaterThan(stale.fencingToken());

        assertThatThrownBy(() -> guardedWrite(stale, "from the paused holder"))
                .isInstanceOf(StaleLeaseException.class).hasMessageContaining("ledger");
        guardedWrite(fresh, "from the new holder");
        assertThat(value()).isEqualTo("from the new holder");
        assertThat(stale.renew()).as("the stale holder learns it lost the lease").isFalse();
        assertThat(stale.isHeld()).isFalse();
    }

    @Test
    void guardHoldsOffATakeoverUntilTheGuardedWriteCommits() throws Exception {
        Lease lease = alice.tryAcquire("row", LeaseOptions.fixed(Duration.ofMillis(300))).orElseThrow();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            lease.guard(c);
            Thread.sleep(400); // expired meanwhile, but the guard's row lock still holds
            CountDownLatch attempted = new CountDownLatch(1);
            Future<Optional<Lease>> takeover = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                attempted.countDown();
                return bob.tryAcquire("row", LeaseOptions.fixed(Duration.ofSeconds(30)));
            });
            attempted.await();
            Thread.sleep(200);
            assertThat(takeover.isDone()).as("the takeover waits for the guarded transaction").isFalse();
            c.commit();
            assertThat(takeover.get(5, TimeUnit.SECONDS)).isPresent();
        }
    }

    @Test
    void acquireWaitsForTheHolderToRelease() throws Exception {
        Lease held = alice.tryAcquire("queue-lock", LeaseOptions.fixed(Duration.ofSeconds(30))).orElseThrow();
        Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
            Thread.sleep(300);
            held.release();
            return null;
        });
        Lease mine = bob.acquire("queue-lock", LeaseOptions.fixed(Duration.ofSeconds(30)), Duration.ofSeconds(5));
        assertThat(mine.fencingToken()).isGreaterThan(held.fencingToken());
    }

    @Test
    void acquireGivesUpAfterItsWait() {
        alice.tryAcquire("busy", LeaseOptions.fixed(Duration.ofSeconds(30))).orElseThrow();
        assertThatThrownBy(() -> bob.acquire("busy", LeaseOptions.fixed(Duration.ofSeconds(30)), Duration.ofMillis(300)))
                .isInstanceOf(LeaseUnavailableException.class).hasMessageContaining("busy");
    }

    @Test
    void lockAtLeastKeepsTheLeaseAfterAnEarlyRelease() throws Exception {
        Lease lease = alice.tryAcquire("report", LeaseOptions.fixed(Duration.ofSeconds(5)).withLockAtLeast(Duration.ofMillis(500)))
                .orElseThrow();
        lease.release();
        assertThat(bob.tryAcquire("report", LeaseOptions.fixed(Duration.ofSeconds(5)))).isEmpty();
        Thread.sleep(600);
        assertThat(bob.tryAcquire("report", LeaseOptions.fixed(Duration.ofSeconds(5)))).isPresent();
    }

    @Test
    void manyThreadsHammeringOneLeaseNeverHoldItTogether() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger acquisitions = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Leases leases = t % 2 == 0 ? alice : bob;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 150; i++) {
                    leases.tryAcquire("hot", LeaseOptions.fixed(Duration.ofSeconds(10))).ifPresent(lease -> {
                        acquisitions.incrementAndGet();
                        tokens.add(lease.fencingToken());
                        if (inside.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        inside.decrementAndGet();
                        lease.release();
                    });
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(overlaps.get()).isZero();
        assertThat(acquisitions.get()).isPositive();
        assertThat(tokens).doesNotHaveDuplicates();
    }

    @Test
    void badInputIsRejectedClearly() {
        assertThatThrownBy(() -> alice.tryAcquire(" ", LeaseOptions.fixed(Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease name");
        assertThatThrownBy(() -> LeaseOptions.fixed(Duration.ofMillis(50)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100 ms");
        assertThatThrownBy(() -> LeaseOptions.fixed(Duration.ofSeconds(1)).withLockAtLeast(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockAtLeast");
        assertThatThrownBy(() -> alice.acquire("x", LeaseOptions.fixed(Duration.ofSeconds(1)), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }

    private void guardedWrite(Lease lease, String value) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                lease.guard(c);
                try (PreparedStatement ps = c.prepareStatement("UPDATE guarded SET value = ?, fence = ? WHERE id = 1")) {
                    ps.setString(1, value);
                    ps.setLong(2, lease.fencingToken());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    private String value() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM guarded WHERE id = 1")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
