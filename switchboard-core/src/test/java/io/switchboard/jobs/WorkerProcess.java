package io.switchboard.jobs;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * A worker in a JVM of its own, for the crash and multi-instance tests. Runs until its standard input closes
 * (then stops gracefully) or it is killed.
 *
 * <p>Arguments: jdbcUrl instanceId concurrency leaseMillis workMillis transactional(true|false)
 */
public final class WorkerProcess {
    static final JobKind<JobTesting.Payload> WORK = JobKind.of("work", JobTesting.Payload.class);

    private WorkerProcess() {
    }

    public static void main(String[] args) throws Exception {
        String jdbcUrl = args[0];
        String instanceId = args[1];
        int concurrency = Integer.parseInt(args[2]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        long workMillis = Long.parseLong(args[4]);
        boolean transactional = Boolean.parseBoolean(args[5]);

        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(concurrency + 5);
        config.setConnectionTimeout(5_000);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            JobEngine engine = JobTesting.fastEngine(ds)
                    .instanceId(instanceId)
                    .queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withConcurrency(concurrency).withLeaseDuration(lease))
                    .handler(WORK, KindOptions.defaults().withRetry(RetryPolicy.maxAttempts(20).withBackoff(Duration.ofMillis(10), 1)),
                            (payload, ctx) -> {
                                record(ds, "starts", ctx.jobId(), instanceId);
                                if (workMillis > 0) {
                                    Thread.sleep(workMillis);
                                }
                                if (transactional) {
                                    ctx.completeInTransaction(c -> {
                                        insert(c, "effects", ctx.jobId(), instanceId);
                                        return null;
                                    });
                                } else {
                                    record(ds, "effects", ctx.jobId(), instanceId);
                                }
                            })
                    .build();
            engine.start();
            System.out.println("READY " + instanceId);
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
            while (stdin.readLine() != null) {
                // wait for the parent to close our stdin
            }
            engine.stop(Duration.ofSeconds(10));
        }
    }

    private static void record(HikariDataSource ds, String table, long jobId, String worker) throws Exception {
        try (Connection c = ds.getConnection()) {
            insert(c, table, jobId, worker);
        }
    }

    private static void insert(Connection c, String table, long jobId, String worker) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (job_id, worker) VALUES (?, ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, worker);
            ps.execute();
        }
    }
}
