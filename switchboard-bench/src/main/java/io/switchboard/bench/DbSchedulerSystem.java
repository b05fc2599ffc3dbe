package io.switchboard.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * db-scheduler 16.x: one one-time task whose data is the job's sequence (default Java serialization), the
 * {@code lock-and-fetch} polling strategy (SELECT ... FOR UPDATE SKIP LOCKED), a fixed executor thread count.
 * A finished one-time execution is deleted from {@code scheduled_tasks}: that is its durable completion.
 */
final class DbSchedulerSystem implements QueueSystem {
    /** db-scheduler's published PostgreSQL table (it ships no migration of its own). */
    static final String SCHEMA = """
            CREATE TABLE scheduled_tasks (
                task_name            text                     NOT NULL,
                task_instance        text                     NOT NULL,
                task_data            bytea,
                execution_time       timestamp with time zone NOT NULL,
                picked               boolean                  NOT NULL,
                picked_by            text,
                last_success         timestamp with time zone,
                last_failure         timestamp with time zone,
                consecutive_failures int,
                last_heartbeat       timestamp with time zone,
                version              bigint                   NOT NULL,
                priority             smallint,
                PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)
            """;
    static final double LOWER_LIMIT_FRACTION = 0.5;
    static final double UPPER_LIMIT_FRACTION = 1.0;
    static final Duration SHORT_POLLING_INTERVAL = Duration.ofMillis(100);

    private final DataSource dataSource;
    private final int threads;
    private final boolean shortPolling;
    private final OneTimeTask<Long> task;
    private final SchedulerClient client;
    private volatile JobSink sink = sequence -> {
    };
    private Scheduler scheduler;

    DbSchedulerSystem(DataSource dataSource, int threads, boolean shortPolling) throws SQLException {
        this.dataSource = dataSource;
        this.threads = threads;
        this.shortPolling = shortPolling;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String ddl : SCHEMA.split(";")) {
                s.execute(ddl);
            }
        }
        this.task = Tasks.oneTime("bench-ping", Long.class).execute((instance, ctx) -> sink.started(instance.getData()));
        this.client = SchedulerClient.Builder.create(dataSource, task).build();
    }

    @Override
    public String name() {
        return shortPolling ? Systems.DB_SCHEDULER + "-tuned" : Systems.DB_SCHEDULER;
    }

    @Override
    public String configuration() {
        return "threads(" + threads + "), pollUsingLockAndFetch(" + LOWER_LIMIT_FRACTION + ", " + UPPER_LIMIT_FRACTION + "), "
                + (shortPolling
                ? "pollingInterval(" + SHORT_POLLING_INTERVAL.toMillis() + " ms) + enableImmediateExecution(), jobs scheduled through the running Scheduler"
                : "pollingInterval default (" + SchedulerBuilder.DEFAULT_POLLING_INTERVAL.toSeconds() + " s)")
                + ", one-time task, Java-serialized Long data; schedule() one INSERT per transaction, scheduleBatch() JDBC batch";
    }

    @Override
    public void enqueueOne(long sequence) {
        // With immediate execution the running Scheduler must be told of the new job, so schedule through it.
        SchedulerClient via = shortPolling && scheduler != null ? scheduler : client;
        via.schedule(task.instance("j" + sequence, sequence), Instant.now());
    }

    @Override
    public void enqueueBatch(long firstSequence, int count) {
        List<TaskInstance<?>> instances = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long sequence = firstSequence + i;
            instances.add(task.instance("j" + sequence, sequence));
        }
        client.scheduleBatch(instances, Instant.now());
    }

    @Override
    public void startWorkers(JobSink sink) {
        this.sink = sink;
        SchedulerBuilder builder = Scheduler.create(dataSource, task)
                .threads(threads)
                .pollUsingLockAndFetch(LOWER_LIMIT_FRACTION, UPPER_LIMIT_FRACTION)
                .shutdownMaxWait(Duration.ofSeconds(10));
        if (shortPolling) {
            builder.pollingInterval(SHORT_POLLING_INTERVAL).enableImmediateExecution();
        }
        scheduler = builder.build();
        scheduler.start();
    }

    @Override
    public long unfinished() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scheduled_tasks");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.stop();
        }
    }
}
