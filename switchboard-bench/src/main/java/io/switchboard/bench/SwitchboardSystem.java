package io.switchboard.bench;

import io.switchboard.Switchboard;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobRequest;
import io.switchboard.jobs.KindOptions;
import io.switchboard.jobs.QueueOptions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Switchboard with its defaults, except the benchmark queue's concurrency. Producer and workers are one
 * instance (the runner is woken in-process), or with {@code crossInstance} two instances on one database.
 */
final class SwitchboardSystem implements QueueSystem {
    static final String QUEUE = "bench";
    static final JobKind<Ping> PING = JobKind.of("bench.ping", Ping.class);

    private final DataSource dataSource;
    private final int concurrency;
    private final Switchboard switchboard;
    /** With {@code crossInstance}: a second, producer-only instance that enqueues, so workers learn of jobs by NOTIFY. */
    private final Switchboard producer;
    private volatile JobSink sink = sequence -> {
    };

    SwitchboardSystem(DataSource dataSource, int concurrency, boolean crossInstance) {
        this.dataSource = dataSource;
        this.concurrency = concurrency;
        // build() installs the schema; workers only run after start().
        this.switchboard = Switchboard.builder(dataSource)
                .handler(PING, KindOptions.defaults().inQueue(QUEUE), (ping, ctx) -> sink.started(ping.sequence()))
                .queue(QueueOptions.defaults(QUEUE).withConcurrency(concurrency))
                .build();
        this.producer = crossInstance
                ? Switchboard.builder(dataSource).declare(PING, KindOptions.defaults().inQueue(QUEUE)).build()
                : switchboard;
    }

    @Override
    public String name() {
        return producer == switchboard ? Systems.SWITCHBOARD : Systems.SWITCHBOARD + "-cross-instance";
    }

    @Override
    public String configuration() {
        return "queue concurrency " + concurrency + " (virtual threads), defaults otherwise: LISTEN/NOTIFY wake-ups, "
                + "2 s polling fallback, 15 s lease, batched completions; enqueue() one INSERT per transaction, "
                + "enqueueAll() COPY" + (producer == switchboard ? ""
                : "; jobs enqueued by a second, producer-only Switchboard instance, so the worker instance learns of them by NOTIFY");
    }

    @Override
    public void enqueueOne(long sequence) {
        producer.jobs().enqueue(PING, new Ping(sequence));
    }

    @Override
    public void enqueueBatch(long firstSequence, int count) {
        List<JobRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(JobRequest.of(PING, new Ping(firstSequence + i)));
        }
        producer.jobs().enqueueAll(requests);
    }

    @Override
    public void startWorkers(JobSink sink) {
        this.sink = sink;
        switchboard.start();
    }

    @Override
    public long unfinished() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     // One arm per partial index, so the count never scans finished jobs.
                     "SELECT count(*) FROM switchboard.jobs WHERE state = 'available' OR state = 'running' OR state = 'scheduled'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public long startedMoreThanOnce() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM switchboard.jobs WHERE attempt > 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        if (producer != switchboard) {
            producer.close();
        }
        switchboard.close();
    }
}
