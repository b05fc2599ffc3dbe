package io.switchboard.lock;

import io.switchboard.db.SchemaMigration;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdvisoryLocksTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private static AdvisoryLocks locks;

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(10);
        SchemaMigration.migrate(ds);
        locks = new AdvisoryLocks(ds);
    }

    @Test
    void lockExcludesOtherTransactionsUntilCommit() throws Exception {
        try (Connection holder = ds.getConnection(); Connection other = ds.getConnection()) {
            holder.setAutoCommit(false);
            other.setAutoCommit(false);
            locks.lock(holder, "billing", "invoice-42");
            assertThat(locks.tryLock(other, "billing", "invoice-42")).isFalse();
            Future<Boolean> waiter = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                locks.lock(other, "billing", "invoice-42");
                return true;
            });
            Thread.sleep(200);
            assertThat(waiter.isDone()).isFalse();
            holder.commit();
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
            other.rollback();
        }
    }

    @Test
    void lockIsTransactionScopedAndLeavesNoSessionLockBehind() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            locks.lock(c, "ns", "transaction-only");
            c.rollback();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void namesNeverShareAKeyEvenWhenTheirHashesWould() throws Exception {
        // "Aa" and "BB" have the same Java hashCode; 2,000 names in two namespaces must all lock independently.
        try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            locks.lock(a, "ns", "Aa");
            assertThat(locks.tryLock(b, "ns", "BB")).isTrue();
            assertThat(locks.tryLock(b, "other-ns", "Aa")).isTrue();
            for (int i = 0; i < 1_000; i++) {
                assertThat(locks.tryLock(a, "bulk", "name-" + i)).isTrue();
            }
            for (int i = 1_000; i < 2_000; i++) {
                assertThat(locks.tryLock(b, "bulk", "name-" + i)).isTrue();
            }
            a.rollback();
            b.rollback();
        }
    }

    @Test
    void autoCommitConnectionIsRefusedBecauseTheLockWouldVanishAtOnce() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(true);
            assertThatThrownBy(() -> locks.lock(c, "ns", "x"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("setAutoCommit(false)");
        }
    }

    @Test
    void blankNamesAreRejected() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> locks.lock(c, "", "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> locks.lock(c, "ns", " ")).isInstanceOf(IllegalArgumentException.class);
            c.rollback();
        }
    }
}
