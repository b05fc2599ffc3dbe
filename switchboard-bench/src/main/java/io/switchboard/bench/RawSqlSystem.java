package io.switchboard.bench;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The physical floor: the least a durable SKIP LOCKED queue must do, driven straight over JDBC. No retries,
 * leases, priorities, heartbeats or wake-ups; each worker thread claims a batch and completes it with two
 * autocommitted statements, and polls when it finds nothing.
 */
final class RawSqlSystem implements QueueSystem {
    static final String SCHEMA = """
            CREATE TABLE raw_jobs (
                id      bigserial PRIMARY KEY,
                state   text  NOT NULL DEFAULT 'available',
                payload jsonb NOT NULL
            );
            CREATE INDEX raw_jobs_available ON raw_jobs (id) WHERE state = 'available'
            """;
    static final String INSERT = "INSERT INTO raw_jobs (payload) VALUES (?::jsonb)";
    static final String COPY = "COPY raw_jobs (payload) FROM STDIN";
    static final String CLAIM = """
            UPDATE raw_jobs SET state = 'running'
            WHERE id IN (SELECT id FROM raw_jobs WHERE state = 'available' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING id, (payload ->> 'n')::bigint
            """;
    static final String COMPLETE = "UPDATE raw_jobs SET state = 'done' WHERE id = ANY(?)";
    static final String UNFINISHED = "SELECT count(*) FROM raw_jobs WHERE state <> 'done'";
    /** How long an idle worker waits before claiming again. */
    static final long IDLE_POLL_NANOS = 2_000_000;

    private final DataSource dataSource;
    private final int threads;
    private final int batch;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stopping;

    RawSqlSystem(DataSource dataSource, int threads, int batch) throws SQLException {
        this.dataSource = dataSource;
        this.threads = threads;
        this.batch = batch;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String ddl : SCHEMA.split(";")) {
                s.execute(ddl);
            }
        }
    }

    @Override
    public String name() {
        return Systems.RAW_SQL;
    }

    @Override
    public String configuration() {
        return threads + " platform threads, each: claim up to " + batch + " (one UPDATE ... SKIP LOCKED ... RETURNING), "
                + "complete them (one UPDATE ... = ANY(?)), both autocommitted; idle poll every "
                + IDLE_POLL_NANOS / 1_000_000 + " ms; enqueue one INSERT, bulk COPY";
    }

    @Override
    public void enqueueOne(long sequence) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, "{\"n\":" + sequence + "}");
            ps.executeUpdate();
        }
    }

    @Override
    public void enqueueBatch(long firstSequence, int count) throws SQLException {
        StringBuilder rows = new StringBuilder(count * 16);
        for (int i = 0; i < count; i++) {
            rows.append("{\"n\":").append(firstSequence + i).append("}\n");
        }
        try (Connection c = dataSource.getConnection()) {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
        }
    }

    @Override
    public void startWorkers(JobSink sink) {
        for (int i = 0; i < threads; i++) {
            workers.add(Thread.ofPlatform().name("raw-sql-worker-" + i).start(() -> work(sink)));
        }
    }

    private void work(JobSink sink) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement claim = c.prepareStatement(CLAIM);
             PreparedStatement complete = c.prepareStatement(COMPLETE)) {
            claim.setInt(1, batch);
            List<Long> ids = new ArrayList<>(batch);
            while (!stopping) {
                ids.clear();
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        sink.started(rs.getLong(2));
                    }
                }
                if (ids.isEmpty()) {
                    LockSupport.parkNanos(IDLE_POLL_NANOS);
                    continue;
                }
                Array array = c.createArrayOf("int8", ids.toArray());
                complete.setArray(1, array);
                complete.executeUpdate();
                array.free();
            }
        } catch (SQLException e) {
            if (!stopping) {
                throw new IllegalStateException("raw-sql worker failed", e);
            }
        }
    }

    @Override
    public long unfinished() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(UNFINISHED);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread worker : workers) {
            worker.join();
        }
    }
}
