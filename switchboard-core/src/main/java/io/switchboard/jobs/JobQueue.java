package io.switchboard.jobs;

import io.switchboard.db.AfterCommit;
import io.switchboard.db.Transactions;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The producer and operator side of the durable job queue: enqueue (alone or inside the caller's transaction,
 * one or in bulk), look up, cancel, list and replay dead letters, and per-queue statistics.
 * Obtain it from {@code Switchboard.jobs()}. Thread-safe.
 */
public final class JobQueue {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);
    private static final int COPY_THRESHOLD = 50;
    private static final int MAX_BATCH = 1_000_000;

    private final DataSource dataSource;
    private final KindRegistry kinds;
    private final JsonMapper json;
    private final JobRows rows;
    private final JobMetrics metrics;
    private final Retention retention;
    /** Wakes this instance's own runner of a queue: set by the engine, a no-op for producer-only use. */
    private volatile java.util.function.Consumer<String> localWake = queue -> {
    };
    private final RemoteWakeups remoteWakeups;
    private volatile AfterCommit afterCommit = AfterCommit.NONE;

    JobQueue(DataSource dataSource, KindRegistry kinds, JsonMapper json, JobMetrics metrics, Retention retention) {
        this.retention = retention;
        this.remoteWakeups = new RemoteWakeups(dataSource);
        this.dataSource = dataSource;
        this.kinds = kinds;
        this.json = json;
        this.rows = new JobRows(json);
        this.metrics = metrics;
    }

    /** Enqueues a job of {@code kind} with {@code args} and default options, in a transaction of its own. */
    public <T> EnqueueResult enqueue(JobKind<T> kind, T args) {
        return enqueue(JobRequest.of(kind, args));
    }

    /**
     * Enqueues one job in a transaction of its own; it is durable when this returns. If this instance works the
     * job's queue, its runner is woken at once, without waiting for the NOTIFY round trip through the database.
     * When the data source hands out a connection already inside a transaction (one a framework manages for the
     * calling thread), the job joins that transaction instead, and workers are woken when it commits.
     */
    public EnqueueResult enqueue(JobRequest request) {
        Prepared job = prepare(request);
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getAutoCommit()) {
                return insertJoined(connection, job);
            }
            EnqueueResult result = insert(connection, job, JobSql.INSERT);
            if (result.state() == JobState.AVAILABLE && !result.duplicate()) {
                localWake.accept(job.queue());
                remoteWakeups.wake(job.queue());
            }
            return result;
        } catch (SQLException e) {
            throw new JobQueueException("could not enqueue a job of kind '" + job.kind() + "'", e);
        }
    }

    /**
     * Enqueues one job on the caller's connection, inside the caller's transaction: the job exists if and only
     * if that transaction commits, and workers are woken at commit. The connection is neither committed nor closed.
     */
    public EnqueueResult enqueue(Connection connection, JobRequest request) {
        Objects.requireNonNull(connection, "connection");
        Prepared job = prepare(request);
        try {
            return insertJoined(connection, job);
        } catch (SQLException e) {
            throw new JobQueueException("could not enqueue a job of kind '" + job.kind() + "'", e);
        }
    }

    /**
     * Checks and resolves {@code request} like {@link #enqueue(JobRequest)} and returns it as a job the caller inserts
     * with a statement of its own (see {@link EmbeddedJob}): the job and the caller's rows then take one round trip.
     *
     * @throws IllegalArgumentException when the request's kind is unknown or its arguments do not fit the kind
     */
    public EmbeddedJob embed(JobRequest request) {
        return new EmbeddedJob(prepare(request), metrics);
    }

    /**
     * Enqueues many jobs in one transaction of its own, streamed with COPY when they are immediate and carry no
     * unique key, in one multi-row statement otherwise (jobs whose unique key is taken are skipped).
     *
     * @return how many jobs were inserted
     */
    public int enqueueAll(List<JobRequest> requests) {
        List<Prepared> jobs = prepareAll(requests);
        if (jobs.isEmpty()) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection()) {
            int inserted = Transactions.inTransaction(connection, c -> insertAll(c, jobs));
            countEnqueued(jobs);
            jobs.stream().map(Prepared::queue).distinct().forEach(localWake);
            return inserted;
        } catch (SQLException e) {
            throw new JobQueueException("could not enqueue " + jobs.size() + " jobs", e);
        }
    }

    /** Like {@link #enqueueAll(List)}, on the caller's connection and inside the caller's transaction. */
    public int enqueueAll(Connection connection, List<JobRequest> requests) {
        Objects.requireNonNull(connection, "connection");
        List<Prepared> jobs = prepareAll(requests);
        if (jobs.isEmpty()) {
            return 0;
        }
        try {
            int inserted = insertAll(connection, jobs);
            countEnqueued(jobs);
            return inserted;
        } catch (SQLException e) {
            throw new JobQueueException("could not enqueue " + jobs.size() + " jobs", e);
        }
    }

    /**
     * An enqueue inside a caller's transaction: workers are woken after it commits, by the application's
     * transaction manager ({@link AfterCommit}) when it manages that transaction, else by a NOTIFY sent with it.
     */
    private EnqueueResult insertJoined(Connection connection, Prepared job) throws SQLException {
        if (!afterCommit.manages(connection)) {
            // No transaction manager takes it: the NOTIFY goes with the insert (a duplicate inserts nothing, sends none).
            return insert(connection, job, JobSql.INSERT_NOTIFYING);
        }
        EnqueueResult result = insert(connection, job, JobSql.INSERT);
        if (result.state() == JobState.AVAILABLE && !result.duplicate()) {
            String queue = job.queue();
            if (!afterCommit.register(connection, () -> {
                localWake.accept(queue);
                remoteWakeups.wake(queue);
            })) {
                try (PreparedStatement notify = connection.prepareStatement(JobSql.NOTIFY_QUEUES)) {
                    notify.setArray(1, connection.createArrayOf("text", new String[]{queue}));
                    notify.execute();
                }
            }
        }
        return result;
    }

    /** Called by the engine: how to run wake-ups after a caller's transaction commits. */
    void afterCommit(AfterCommit hook) {
        this.afterCommit = java.util.Objects.requireNonNull(hook, "afterCommit");
    }

    /** Called by the engine: wake the local runner of a queue after a committed enqueue. */
    void onCommittedEnqueue(java.util.function.Consumer<String> wake) {
        this.localWake = wake;
    }

    /** The job with {@code id}, if it exists. */
    public Optional<Job> find(long id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.FIND)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rows.map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not read job " + id, e);
        }
    }

    /** The job with {@code id}; {@link JobNotFoundException} if there is none. */
    public Job get(long id) {
        return find(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * Cancels a job: one that has not started is cancelled at once; a running one is flagged, its handler sees
     * {@link JobContext#isCancellationRequested()} and the job ends cancelled when the handler returns.
     */
    public CancelResult cancel(long id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.CANCEL)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    CancelResult result = "running".equals(rs.getString(1)) ? CancelResult.CANCEL_REQUESTED : CancelResult.CANCELLED;
                    log.info("Job {} {}", id, result == CancelResult.CANCELLED ? "cancelled" : "asked to cancel while running");
                    return result;
                }
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not cancel job " + id, e);
        }
        get(id);
        return CancelResult.ALREADY_FINISHED;
    }

    /**
     * Puts a dead or cancelled job back to available with a fresh attempt count (its error history is kept).
     *
     * @throws JobNotFoundException  if there is no such job
     * @throws IllegalStateException if the job is not dead or cancelled
     * @throws DuplicateJobException if another unfinished job now holds its unique key
     */
    public Job replay(long id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.REPLAY)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    log.info("Job {} replayed", id);
                    return rows.map(rs);
                }
            }
        } catch (SQLException e) {
            if (PSQLState.UNIQUE_VIOLATION.getState().equals(e.getSQLState())) {
                Job job = get(id);
                throw new DuplicateJobException(job.kind(), job.uniqueKey(), findUnique(job.kind(), job.uniqueKey()));
            }
            throw new JobQueueException("could not replay job " + id, e);
        }
        Job job = get(id);
        throw new IllegalStateException("job " + id + " is " + job.state().dbValue()
                + "; only dead or cancelled jobs can be replayed");
    }

    /**
     * Replays up to {@code limit} dead jobs, oldest first, optionally only of one queue and/or kind
     * ({@code null} for any). Jobs whose unique key is held by an unfinished job are left dead.
     *
     * @return how many were replayed
     */
    public int replayDead(String queue, String kind, int limit) {
        requireValidOrNull("queue", queue, 100);
        requireValidOrNull("job kind", kind, 200);
        requireLimit(limit);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.REPLAY_DEAD)) {
            ps.setString(1, queue);
            ps.setString(2, queue);
            ps.setString(3, kind);
            ps.setString(4, kind);
            ps.setInt(5, limit);
            int replayed = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    replayed += rs.getInt(1);
                }
            }
            log.info("Replayed {} dead jobs (queue={}, kind={})", replayed, queue, kind);
            return replayed;
        } catch (SQLException e) {
            throw new JobQueueException("could not replay dead jobs", e);
        }
    }

    /** The most recently dead-lettered jobs, newest first, of one queue or of all ({@code null}). */
    public List<Job> listDead(String queue, int limit) {
        requireValidOrNull("queue", queue, 100);
        requireLimit(limit);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.LIST_DEAD)) {
            ps.setString(1, queue);
            ps.setString(2, queue);
            ps.setInt(3, limit);
            List<Job> dead = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dead.add(rows.map(rs));
                }
            }
            return dead;
        } catch (SQLException e) {
            throw new JobQueueException("could not list dead jobs", e);
        }
    }

    /** Counts and lag of every queue that has unfinished or dead jobs, across all instances. */
    public List<QueueStats> stats() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.STATS);
             ResultSet rs = ps.executeQuery()) {
            List<QueueStats> stats = new ArrayList<>();
            while (rs.next()) {
                stats.add(new QueueStats(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        Duration.ofMillis(rs.getLong(6))));
            }
            return stats;
        } catch (SQLException e) {
            throw new JobQueueException("could not read queue statistics", e);
        }
    }

    /**
     * How far behind each queue with waiting jobs is: the age of its oldest available job, by queue name in name
     * order (a queue with no available job is absent), across all instances. Unlike {@link #stats()} it counts
     * nothing, so its cost does not grow with the backlog: it suits probes that must answer quickly however many jobs
     * wait, such as a readiness check.
     */
    public Map<String, Duration> lags() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.LAGS);
             ResultSet rs = ps.executeQuery()) {
            Map<String, Duration> lags = new LinkedHashMap<>();
            while (rs.next()) {
                lags.put(rs.getString(1), Duration.ofMillis(rs.getLong(2)));
            }
            return Collections.unmodifiableMap(lags);
        } catch (SQLException e) {
            throw new JobQueueException("could not read the queues' lag", e);
        }
    }

    /**
     * Deletes finished jobs older than their retention ({@link Retention}), in batches of 5,000 that skip rows
     * locked by a concurrent pruner. Run periodically by the maintenance schedule (or the worker loop).
     *
     * @return how many jobs were deleted
     */
    public int pruneFinished() {
        int total = 0;
        int deleted;
        do {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(JobSql.PRUNE)) {
                ps.setLong(1, retention.completed().toMillis());
                ps.setLong(2, retention.cancelled().toMillis());
                ps.setLong(3, retention.dead().toMillis());
                ps.setInt(4, 5_000);
                deleted = ps.executeUpdate();
                total += deleted;
            } catch (SQLException e) {
                throw new JobQueueException("could not prune finished jobs", e);
            }
        } while (deleted == 5_000);
        if (total > 0) {
            log.debug("Pruned {} finished jobs", total);
        }
        return total;
    }

    /** Names of the job kinds this instance can enqueue. */
    public Set<String> kinds() {
        Set<String> names = new TreeSet<>();
        kinds.all().forEach(r -> names.add(r.kind().name()));
        return names;
    }

    private static void requireValidOrNull(String what, String name, int maxLength) {
        if (name != null) {
            Names.requireValid(what, name, maxLength);
        }
    }

    private static void requireLimit(int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be between 1 and 10000, was " + limit);
        }
    }

    /** A request checked and resolved against its kind's registration: the values of its row. */
    record Prepared(String queue, String kind, String argsJson, int priority, Timestamp runAt, long delayMillis,
                    int maxAttempts, String uniqueKey, JobRequest.OnDuplicate onDuplicate, boolean immediate) {
        /** Number of parameters of {@link JobSql#INSERT} and {@link JobSql#INSERT_NOTIFYING}. */
        static final int PARAMETERS = 8;

        /** Binds this job to the insert's {@value #PARAMETERS} parameters from {@code first} on; returns the next index. */
        int bind(PreparedStatement ps, int first) throws SQLException {
            ps.setString(first, queue);
            ps.setString(first + 1, kind);
            ps.setString(first + 2, argsJson);
            ps.setInt(first + 3, priority);
            ps.setObject(first + 4, runAt == null ? null : java.time.OffsetDateTime.ofInstant(runAt.toInstant(), java.time.ZoneOffset.UTC),
                    java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setLong(first + 5, delayMillis);
            ps.setInt(first + 6, maxAttempts);
            ps.setString(first + 7, uniqueKey);
            return first + PARAMETERS;
        }
    }

    private Prepared prepare(JobRequest request) {
        Objects.requireNonNull(request, "request");
        KindRegistry.Registration registration = kinds.require(request.kind());
        String argsJson;
        if (request.argsJson() != null) {
            try {
                // Read into the kind's type and write back: invalid or mistyped JSON fails here, not in a worker.
                Object args = json.readValue(request.argsJson(), registration.kind().argsType());
                if (args == null) {
                    throw new IllegalArgumentException("arguments of job kind '" + request.kind() + "' must not be null");
                }
                argsJson = json.writeValueAsString(args);
            } catch (JacksonException e) {
                throw new IllegalArgumentException("arguments are not valid for job kind '" + request.kind() + "' ("
                        + registration.kind().argsType().getSimpleName() + "): " + e.getOriginalMessage(), e);
            }
        } else {
            if (!registration.kind().argsType().isInstance(request.args())) {
                throw new IllegalArgumentException("arguments of job kind '" + request.kind() + "' must be a "
                        + registration.kind().argsType().getName() + ", got " + request.args().getClass().getName());
            }
            try {
                argsJson = json.writeValueAsString(request.args());
            } catch (JacksonException e) {
                throw new IllegalArgumentException("arguments of job kind '" + request.kind()
                        + "' cannot be serialized to JSON: " + e.getOriginalMessage(), e);
            }
        }
        if (containsNulEscape(argsJson)) {
            throw new IllegalArgumentException("arguments of job kind '" + request.kind()
                    + "' contain a NUL character, which PostgreSQL cannot store in JSON");
        }
        String queue = registration.options().queue();
        int maxAttempts = request.maxAttempts() != null ? request.maxAttempts() : registration.options().retryPolicy().maxAttempts();
        Timestamp runAt = request.runAt() == null ? null : Timestamp.from(request.runAt());
        long delay = request.delay() == null ? 0 : request.delay().toMillis();
        return new Prepared(queue, request.kind(), argsJson, request.priority(), runAt, delay, maxAttempts,
                request.uniqueKey(), request.onDuplicate(), request.isImmediate());
    }

    /** Stops the thread that tells other instances about new jobs; the engine calls it when it stops. */
    void stopWakeups() {
        remoteWakeups.stop();
    }

    /** PostgreSQL's jsonb cannot hold U+0000; JSON writes it as the escape backslash-u-0000. */
    private static boolean containsNulEscape(String json) {
        for (int i = json.indexOf("\\u0000"); i >= 0; i = json.indexOf("\\u0000", i + 1)) {
            int backslashes = 0;
            for (int j = i - 1; j >= 0 && json.charAt(j) == '\\'; j--) {
                backslashes++;
            }
            if (backslashes % 2 == 0) {
                return true;
            }
        }
        return json.indexOf('\u0000') >= 0;
    }

    private List<Prepared> prepareAll(List<JobRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.size() > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " jobs per call, got " + requests.size());
        }
        List<Prepared> prepared = new ArrayList<>(requests.size());
        for (JobRequest request : requests) {
            prepared.add(prepare(request));
        }
        return prepared;
    }

    private EnqueueResult insert(Connection connection, Prepared job, String sql) throws SQLException {
        for (int tries = 0; tries < 5; tries++) {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                job.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        metrics.enqueued(job.queue(), job.kind(), 1);
                        return new EnqueueResult(rs.getLong(1), JobState.fromDb(rs.getString(2)), false);
                    }
                }
            }
            // The unique key is held by an unfinished job.
            try (PreparedStatement ps = connection.prepareStatement(JobSql.FIND_UNIQUE)) {
                ps.setString(1, job.kind());
                ps.setString(2, job.uniqueKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long existing = rs.getLong(1);
                        if (job.onDuplicate() == JobRequest.OnDuplicate.REJECT) {
                            throw new DuplicateJobException(job.kind(), job.uniqueKey(), existing);
                        }
                        return new EnqueueResult(existing, JobState.fromDb(rs.getString(2)), true);
                    }
                }
            }
            // It finished between the two statements: try the insert again.
        }
        throw new JobQueueException("could not enqueue a job of kind '" + job.kind() + "' with unique key '"
                + job.uniqueKey() + "': the key kept changing hands", null);
    }

    private long findUnique(String kind, String uniqueKey) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.FIND_UNIQUE)) {
            ps.setString(1, kind);
            ps.setString(2, uniqueKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not look up unique key '" + uniqueKey + "'", e);
        }
    }

    private int insertAll(Connection connection, List<Prepared> jobs) throws SQLException {
        boolean copyable = jobs.size() >= COPY_THRESHOLD
                && jobs.stream().allMatch(j -> j.immediate() && j.uniqueKey() == null);
        int inserted = copyable ? copy(connection, jobs) : insertMany(connection, jobs);
        Set<String> queues = new TreeSet<>();
        jobs.forEach(j -> queues.add(j.queue()));
        try (PreparedStatement ps = connection.prepareStatement(JobSql.NOTIFY_QUEUES)) {
            ps.setArray(1, connection.createArrayOf("text", queues.toArray()));
            ps.execute();
        }
        return inserted;
    }

    private int insertMany(Connection connection, List<Prepared> jobs) throws SQLException {
        int n = jobs.size();
        String[] queue = new String[n], kind = new String[n], args = new String[n], unique = new String[n];
        Integer[] priority = new Integer[n], attempts = new Integer[n];
        Timestamp[] runAt = new Timestamp[n];
        Long[] delay = new Long[n];
        for (int i = 0; i < n; i++) {
            Prepared j = jobs.get(i);
            queue[i] = j.queue();
            kind[i] = j.kind();
            args[i] = j.argsJson();
            priority[i] = j.priority();
            runAt[i] = j.runAt();
            delay[i] = j.delayMillis();
            attempts[i] = j.maxAttempts();
            unique[i] = j.uniqueKey();
        }
        try (PreparedStatement ps = connection.prepareStatement(JobSql.INSERT_MANY)) {
            ps.setArray(1, connection.createArrayOf("text", queue));
            ps.setArray(2, connection.createArrayOf("text", kind));
            ps.setArray(3, connection.createArrayOf("text", args));
            ps.setArray(4, connection.createArrayOf("int2", priority));
            ps.setArray(5, connection.createArrayOf("timestamptz", runAt));
            ps.setArray(6, connection.createArrayOf("int8", delay));
            ps.setArray(7, connection.createArrayOf("int4", attempts));
            ps.setArray(8, connection.createArrayOf("text", unique));
            return ps.executeUpdate();
        }
    }

    private int copy(Connection connection, List<Prepared> jobs) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(JobSql.COPY);
        try {
            StringBuilder buffer = new StringBuilder(64 * 1024);
            for (Prepared j : jobs) {
                buffer.append(j.queue()).append('\t').append(j.kind()).append('\t');
                escapeCopyText(j.argsJson(), buffer);
                buffer.append("\tavailable\t").append(j.priority()).append('\t').append(j.maxAttempts()).append('\n');
                if (buffer.length() >= 60 * 1024) {
                    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    buffer.setLength(0);
                }
            }
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            return (int) copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** COPY text format: backslash, newline, carriage return and tab must be escaped. */
    private static void escapeCopyText(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }

    private void countEnqueued(List<Prepared> jobs) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        jobs.forEach(j -> counts.merge(j.queue() + '\u0000' + j.kind(), 1, Integer::sum));
        counts.forEach((key, count) -> {
            String[] parts = key.split("\u0000");
            metrics.enqueued(parts[0], parts[1], count);
        });
    }
}
