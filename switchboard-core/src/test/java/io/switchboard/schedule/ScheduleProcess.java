package io.switchboard.schedule;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.Switchboard;
import io.switchboard.jobs.QueueOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A Switchboard instance in a JVM of its own with four fast interval schedules whose runs record their slot
 * in {@code slot_effects} in the same transaction as the run's success. Prints its own wall clock at start.
 * Runs until its standard input closes or it is killed.
 *
 * <p>Arguments: jdbcUrl instanceId
 */
public final class ScheduleProcess {
    static final int SCHEDULES = 4;
    static final Duration INTERVAL = Duration.ofMillis(100);

    private ScheduleProcess() {
    }

    public static void main(String[] args) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setMaximumPoolSize(12);
        config.setConnectionTimeout(5_000);
        String instanceId = args[1];
        try (HikariDataSource ds = new HikariDataSource(config)) {
            Switchboard.Builder builder = Switchboard.builder(ds).instanceId(instanceId).scheduleTick(Duration.ofMillis(20))
                    .queue(QueueOptions.defaults(Scheduler.QUEUE).withLeaseDuration(Duration.ofSeconds(1)))
                    .jobs(j -> j.promoteInterval(Duration.ofMillis(20)).rescueInterval(Duration.ofMillis(250)));
            for (int i = 0; i < SCHEDULES; i++) {
                builder.schedule(Schedule.every("tick-" + i, INTERVAL, ctx -> ctx.completeInTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO slot_effects (schedule, slot, instance) VALUES (?, ?, ?)")) {
                        ps.setString(1, ctx.schedule());
                        ps.setObject(2, OffsetDateTime.ofInstant(ctx.slot(), ZoneOffset.UTC));
                        ps.setString(3, instanceId);
                        return ps.executeUpdate();
                    }
                })).withOverlap(true));
            }
            Switchboard switchboard = builder.build().start();
            System.out.println("READY " + instanceId + " wallclock=" + Instant.now());
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
            while (stdin.readLine() != null) {
                // until the parent closes stdin
            }
            switchboard.stop(Duration.ofSeconds(10));
        }
    }
}
