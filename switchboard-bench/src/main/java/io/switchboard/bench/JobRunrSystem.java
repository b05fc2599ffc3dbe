package io.switchboard.bench;

import org.jobrunr.jobs.mappers.JobMapper;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.JobActivator;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.JsonMapper;
import org.jobrunr.utils.mapper.jackson3.Jackson3JsonMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.stream.LongStream;

/**
 * JobRunr 8.x (open source): the PostgreSQL storage provider (it creates its tables), {@link JobRunrPing} job
 * requests, Jackson 3 for JSON, a BackgroundJobServer with a fixed worker count. The job's JSON row reaching
 * state {@code SUCCEEDED} is its durable completion.
 */
final class JobRunrSystem implements QueueSystem {
    /** The shortest poll interval JobRunr's SQL storage accepts. */
    static final Duration SHORT_POLL_INTERVAL = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final int workers;
    private final boolean shortPolling;
    private final JsonMapper json = new Jackson3JsonMapper();
    private final PostgresStorageProvider storage;
    private final JobRequestScheduler scheduler;
    private BackgroundJobServer server;

    JobRunrSystem(DataSource dataSource, int workers, boolean shortPolling) {
        this.dataSource = dataSource;
        this.workers = workers;
        this.shortPolling = shortPolling;
        this.storage = new PostgresStorageProvider(dataSource);
        this.storage.setJobMapper(new JobMapper(json));
        this.scheduler = new JobRequestScheduler(storage);
    }

    @Override
    public String name() {
        return shortPolling ? Systems.JOBRUNR + "-tuned" : Systems.JOBRUNR;
    }

    @Override
    public String configuration() {
        Duration poll = shortPolling ? SHORT_POLL_INTERVAL : BackgroundJobServerConfiguration.DEFAULT_POLL_INTERVAL;
        return "BackgroundJobServer andWorkerCount(" + workers + "), poll interval " + poll.toSeconds() + " s"
                + (shortPolling ? " (the minimum JobRunr allows)" : " (default)")
                + ", PostgresStorageProvider, Jackson 3, JobRequest + JobRequestHandler; enqueue(request) one job per call, "
                + "enqueue(Stream) bulk save";
    }

    @Override
    public void enqueueOne(long sequence) {
        scheduler.enqueue(new JobRunrPing(sequence));
    }

    @Override
    public void enqueueBatch(long firstSequence, int count) {
        scheduler.enqueue(LongStream.range(firstSequence, firstSequence + count).mapToObj(JobRunrPing::new));
    }

    @Override
    public void startWorkers(JobSink sink) {
        JobRunrPing.Handler handler = new JobRunrPing.Handler(sink);
        JobActivator activator = new JobActivator() {
            @Override
            public <T> T activateJob(Class<T> type) {
                return type.isInstance(handler) ? type.cast(handler) : null;
            }
        };
        BackgroundJobServerConfiguration configuration = BackgroundJobServerConfiguration
                .usingStandardBackgroundJobServerConfiguration()
                .andWorkerCount(workers);
        if (shortPolling) {
            configuration.andPollInterval(SHORT_POLL_INTERVAL);
        }
        server = new BackgroundJobServer(storage, json, activator, configuration);
        server.start();
    }

    @Override
    public long unfinished() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jobrunr_jobs WHERE state <> 'SUCCEEDED'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
        storage.close();
    }
}
