package io.switchboard.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.db.SchemaMigration;
import io.switchboard.lock.Lease;
import io.switchboard.lock.LeaseOptions;
import io.switchboard.lock.Leases;
import io.switchboard.postgres.embedded.EmbeddedPostgres;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Lease acquire+release throughput: Switchboard's {@link Leases} (with fencing tokens) against ShedLock's
 * JDBC provider ({@code JdbcTemplateLockProvider}, database time), on one embedded PostgreSQL, same run.
 *
 * <p>Each of {@code --threads} threads loops over its own 100 lock names: take the lock (30 s, the lock-at-most
 * of a scheduled task), release it. Both systems do two statements per iteration. Reports the median of
 * {@code --runs} runs of {@code --seconds} each, after a warm-up.
 *
 * <pre>java -cp switchboard-bench/target/switchboard-bench.jar io.switchboard.bench.LeaseBench [--threads=8] [--seconds=10] [--runs=3]</pre>
 */
public final class LeaseBench {
    private LeaseBench() {
    }

    @FunctionalInterface
    interface Iteration {
        void run(String name) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int threads = BenchArgs.intValue(args, "--threads=", 8);
        int seconds = BenchArgs.intValue(args, "--seconds=", 10);
        int runs = BenchArgs.intValue(args, "--runs=", 3);
        Path dir = Files.createTempDirectory("switchboard-lease-bench-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        System.out.printf("lease bench: %d threads, %d s per run, %d runs, %d cores, %s%n", threads, seconds, runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().dataDirectory(dir.resolve("data"))
                .serverConfig("shared_buffers", "256MB").start()) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE lease_switchboard");
                s.execute("CREATE DATABASE lease_shedlock");
            }
            double[] switchboard = new double[runs];
            double[] shedlock = new double[runs];
            try (HikariDataSource sbDs = pool(pg.jdbcUrl("lease_switchboard"), threads);
                 HikariDataSource slDs = pool(pg.jdbcUrl("lease_shedlock"), threads)) {
                SchemaMigration.migrate(sbDs);
                Leases leases = new Leases(sbDs, "bench");
                LeaseOptions options = LeaseOptions.fixed(Duration.ofSeconds(30));
                Iteration sb = name -> {
                    Lease lease = leases.tryAcquire(name, options).orElseThrow(() -> new IllegalStateException("not acquired: " + name));
                    lease.release();
                };
                try (Connection c = slDs.getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE shedlock (name varchar(64) NOT NULL, lock_until timestamp NOT NULL, "
                            + "locked_at timestamp NOT NULL, locked_by varchar(255) NOT NULL, PRIMARY KEY (name))");
                }
                JdbcTemplateLockProvider provider = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                        .withJdbcTemplate(new JdbcTemplate(slDs)).usingDbTime().build());
                Iteration sl = name -> {
                    Optional<SimpleLock> lock = provider.lock(new LockConfiguration(Instant.now(), name, Duration.ofSeconds(30), Duration.ZERO));
                    lock.orElseThrow(() -> new IllegalStateException("not acquired: " + name)).unlock();
                };
                measure(sb, threads, 2);
                measure(sl, threads, 2);
                for (int run = 0; run < runs; run++) {
                    switchboard[run] = measure(sb, threads, seconds);
                    shedlock[run] = measure(sl, threads, seconds);
                    System.out.printf("run %d: switchboard %,.0f ops/s, shedlock %,.0f ops/s%n", run + 1, switchboard[run], shedlock[run]);
                }
                leases.close();
            }
            double sbMedian = ClosedLoop.median(switchboard);
            double slMedian = ClosedLoop.median(shedlock);
            System.out.printf("%nlease acquire+release (median of %d): switchboard %,.0f ops/s, shedlock %,.0f ops/s, ratio %.2fx%n",
                    runs, sbMedian, slMedian, sbMedian / slMedian);
            System.out.printf("BENCH workload=lease-acquire-release system=switchboard value=%.0f unit=ops/s%n", sbMedian);
            System.out.printf("BENCH workload=lease-acquire-release system=shedlock value=%.0f unit=ops/s%n", slMedian);
        }
    }

    private static double measure(Iteration iteration, int threads, int seconds) throws InterruptedException {
        return ClosedLoop.run(threads, Duration.ofSeconds(seconds), "lease bench iteration",
                (thread, i) -> iteration.run("job-" + thread + "-" + (i % 100))).perSecond();
    }

    private static HikariDataSource pool(String url, int threads) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(threads + 2);
        return new HikariDataSource(config);
    }
}
