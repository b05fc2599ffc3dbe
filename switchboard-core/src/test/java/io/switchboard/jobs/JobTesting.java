package io.switchboard.jobs;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the job tests. */
final class JobTesting {
    private JobTesting() {
    }

    record Payload(String text, int n) {
    }

    static final JobKind<Payload> PAYLOAD = JobKind.of("payload", Payload.class);

    /** Waits for {@code condition}, polling; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static long count(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    static void execute(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** A builder with fast maintenance so tests do not wait on production intervals. */
    static JobEngine.Builder fastEngine(DataSource ds) {
        return JobEngine.builder(ds)
                .promoteInterval(Duration.ofMillis(20))
                .rescueInterval(Duration.ofMillis(200))
                .shutdownTimeout(Duration.ofSeconds(5));
    }
}
