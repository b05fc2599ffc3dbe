package io.switchboard.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consumer side on one instance: a {@link QueueRunner} per worked queue, handlers on virtual threads, the
 * batch {@link Completer}, the LISTEN {@link Notifier}, heartbeats, and the maintenance loop (promote due
 * jobs, rescue jobs of dead workers, prune old finished jobs, refresh gauges).
 */
final class JobWorker {
    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
    private static final int MAX_ERROR_LENGTH = 4_000;
    private static final int MAX_ERROR_LINES = 12;
    private static final Object UNREADABLE = new Object();

    private final DataSource dataSource;
    private final String workerId;
    private final KindRegistry kinds;
    private final JsonMapper json;
    private final JobMetrics metrics;
    private final JobQueue queue;
    private final WorkerSettings settings;
    private final Map<String, QueueRunner> runners = new LinkedHashMap<>();
    private final Map<Long, RunningJob> inFlight = new ConcurrentHashMap<>();
    /** Kinds whose handler runs several jobs at a time. */
    private final Map<String, JobBatches> batches = new HashMap<>();
    private final Completer completer;
    private final Notifier notifier;
    private final Map<String, AtomicLong> lastTroubleLog = new ConcurrentHashMap<>();
    private ExecutorService handlers;
    private ScheduledExecutorService maintenance;
    private volatile boolean started;

    /**
     * Intervals of the maintenance loop.
     *
     * @param promoteInterval how often due delayed jobs and retries are made available
     * @param rescueInterval  how often expired leases are looked for
     * @param pruneInterval   how often old finished jobs are deleted; zero when a maintenance schedule does it
     * @param statsInterval   how often the depth and lag gauges are refreshed
     */
    record WorkerSettings(Duration promoteInterval, Duration rescueInterval, Duration pruneInterval,
                          Duration statsInterval) {
    }

    JobWorker(DataSource dataSource, String workerId, KindRegistry kinds, Map<String, QueueOptions> queueOptions,
              JsonMapper json, JobMetrics metrics, JobQueue queue, WorkerSettings settings) {
        this.dataSource = dataSource;
        this.workerId = workerId;
        this.kinds = kinds;
        this.json = json;
        this.metrics = metrics;
        this.queue = queue;
        this.settings = settings;
        for (KindRegistry.Registration registration : kinds.all()) {
            if (registration.handler() instanceof BatchJobHandler<?> batchHandler) {
                String queueName = registration.options().queue();
                batches.put(registration.kind().name(), new JobBatches(batchHandler, run -> startBatch(registration, run),
                        claimNow -> {
                            if (claimNow) {
                                wake(queueName);
                            } else {
                                recheck(queueName);
                            }
                        }));
            }
        }
        for (String name : kinds.workedQueues()) {
            QueueOptions options = queueOptions.getOrDefault(name, QueueOptions.defaults(name));
            List<String> handled = kinds.handledKinds(name);
            runners.put(name, new QueueRunner(options, handled, this, () -> canStartWork(handled)));
        }
        this.completer = new Completer(this);
        this.notifier = new Notifier(this);
    }

    DataSource dataSource() {
        return dataSource;
    }

    String workerId() {
        return workerId;
    }

    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("switchboard-job-", 0).factory());
        maintenance = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("switchboard-maintenance").factory());
        completer.start();
        notifier.start();
        runners.values().forEach(QueueRunner::start);
        schedule(settings.promoteInterval(), "promoting due jobs", this::promote);
        schedule(settings.rescueInterval(), "rescuing jobs of lost workers", this::rescue);
        schedule(heartbeatInterval(), "renewing job leases", this::heartbeat);
        if (!settings.pruneInterval().isZero()) {
            schedule(settings.pruneInterval(), "pruning finished jobs", queue::pruneFinished);
        }
        schedule(settings.statsInterval(), "reading queue statistics", () -> metrics.refresh(queue.stats()));
        log.info("Switchboard worker {} started on queues {}", workerId,
                runners.values().stream().map(r -> r.options().name() + "(" + r.options().concurrency() + ")").toList());
    }

    /**
     * Graceful stop: no new claims; running handlers get up to {@code timeout} to finish; the jobs of those still
     * running after it are released (their attempt does not count) for another instance to run, and their
     * handlers see {@link JobContext#isCancellationRequested()}. Pending completions are written first.
     */
    synchronized void stop(Duration timeout) {
        if (!started) {
            return;
        }
        started = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        runners.values().forEach(QueueRunner::stopClaiming);
        try {
            for (QueueRunner runner : runners.values()) {
                runner.join(Duration.ofSeconds(5));
            }
            while (System.nanoTime() < deadline && runners.values().stream().anyMatch(r -> r.busySlots() > 0)) {
                Thread.sleep(20);
            }
            List<RunningJob> unfinished = inFlight.values().stream().filter(j -> !j.handlerDone).toList();
            if (!unfinished.isEmpty()) {
                unfinished.forEach(j -> j.releasing = true);
                release(unfinished);
            }
            completer.stop(10_000);
            notifier.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        maintenance.shutdownNow();
        handlers.shutdownNow();
        log.info("Switchboard worker {} stopped", workerId);
    }

    /**
     * Hands claimed jobs to handler threads (jobs of a batched kind to its runs). A job's slot stays taken until
     * its outcome is written (batched completion included): claims can never outrun completions, so the jobs held
     * in memory, and the heartbeat that renews their leases, stay bounded by the queue's concurrency.
     */
    void dispatch(QueueRunner runner, List<RunningJob> claimed) {
        Map<JobBatches, List<RunningJob>> batched = new HashMap<>();
        for (RunningJob job : claimed) {
            job.occupy(runner);
            JobBatches kindBatches = batches.get(job.kind);
            if (kindBatches != null) {
                batched.computeIfAbsent(kindBatches, b -> new ArrayList<>()).add(job);
                continue;
            }
            handlers.execute(() -> {
                try {
                    run(job);
                } catch (RuntimeException | Error e) {
                    log.error("Unexpected failure running {}; its lease will expire and it will be rescued", job, e);
                    finishTracking(job);
                }
            });
        }
        // Jobs claimed together wait together, so the next free run takes them all.
        batched.forEach(JobBatches::add);
    }

    /**
     * Whether a claim of jobs of {@code kinds} could start work now: not while every one of them runs in batches
     * and all their runs are busy. Jobs claimed then would only wait; left unclaimed, they go to the next run
     * together (claimed in one statement) or to another instance.
     */
    private boolean canStartWork(List<String> kinds) {
        for (String kind : kinds) {
            JobBatches kindBatches = batches.get(kind);
            if (kindBatches == null || kindBatches.hasFreeRun()) {
                return true;
            }
        }
        return kinds.isEmpty();
    }

    void track(RunningJob job) {
        inFlight.put(job.id, job);
    }

    private void run(RunningJob job) {
        KindRegistry.Registration registration = kinds.find(job.kind);
        Object args = begin(job, registration);
        if (args == UNREADABLE) {
            return;
        }
        Throwable error = null;
        try {
            invoke(registration.handler(), args, job);
        } catch (Throwable t) {
            error = t;
        }
        finish(job, registration, error);
    }

    /**
     * Counts the attempt as started and reads its arguments; arguments that cannot be read fail the job for good
     * and give {@link #UNREADABLE}.
     */
    private Object begin(RunningJob job, KindRegistry.Registration registration) {
        metrics.started(job.queue, job.kind, job.lagMillis);
        job.startedNanos = System.nanoTime();
        try {
            return json.readValue(job.argsJson, registration.kind().argsType());
        } catch (JacksonException e) {
            fail(job, registration, new PermanentJobFailure("arguments cannot be read as "
                    + registration.kind().argsType().getName() + ": " + e.getOriginalMessage(), e));
            return UNREADABLE;
        }
    }

    /** Writes (or hands to the completer) the outcome of a job whose handler returned or threw {@code error}. */
    private void finish(RunningJob job, KindRegistry.Registration registration, Throwable error) {
        if (error != null) {
            if (job.completedInTransaction) {
                log.warn("{} threw after committing its completion; it stays completed", job, error);
                finishTracking(job);
                metrics.completed(job.queue, job.kind, System.nanoTime() - job.startedNanos);
                return;
            }
            fail(job, registration, error);
            return;
        }
        job.handlerDone = true;
        if (job.completedInTransaction) {
            finishTracking(job);
            metrics.completed(job.queue, job.kind, System.nanoTime() - job.startedNanos);
        } else if (job.releasing || job.leaseLost) {
            log.info("{} finished after its claim was given up; the result is not recorded", job);
            finishTracking(job);
        } else if (job.cancelRequested) {
            markCancelled(job);
        } else {
            completer.add(job);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void invoke(JobHandler<T> handler, Object args, RunningJob job) throws Exception {
        handler.handle((T) args, job);
    }

    /** Starts a run of a {@link BatchJobHandler} on a handler thread; its kind's next run may start when it ends. */
    private void startBatch(KindRegistry.Registration registration, List<RunningJob> jobs) {
        handlers.execute(() -> {
            try {
                runBatch(registration, jobs);
            } catch (RuntimeException | Error e) {
                log.error("Unexpected failure running jobs {}; their leases will expire and they will be rescued",
                        jobs.stream().map(j -> j.id).toList(), e);
                jobs.forEach(this::finishTracking);
            } finally {
                batches.get(registration.kind().name()).runEnded(jobs.size());
            }
        });
    }

    private void runBatch(KindRegistry.Registration registration, List<RunningJob> jobs) {
        List<RunningJob> ready = new ArrayList<>(jobs.size());
        List<BatchedJob<Object>> batch = new ArrayList<>(jobs.size());
        for (RunningJob job : jobs) {
            if (job.releasing || job.leaseLost) {
                // Given back at shutdown or rescued elsewhere while it waited for a run.
                finishTracking(job);
                continue;
            }
            Object args = begin(job, registration);
            if (args != UNREADABLE) {
                batch.add(new BatchedJob<>(job.id, job.attempt, job.maxAttempts, args));
                ready.add(job);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        Throwable error = null;
        try {
            invokeBatch((BatchJobHandler<?>) registration.handler(), batch, new RunningBatch(ready, workerId, dataSource));
        } catch (Throwable t) {
            error = t;
        }
        for (RunningJob job : ready) {
            finish(job, registration, error);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void invokeBatch(BatchJobHandler<T> handler, List<BatchedJob<Object>> jobs, BatchContext context)
            throws Exception {
        handler.handleBatch((List<BatchedJob<T>>) (List<?>) jobs, context);
    }

    /** Called by the completer once a batch is written; frees the batch's slots with one signal per queue. */
    void completed(List<RunningJob> batch) {
        Map<QueueRunner, Integer> freed = new HashMap<>();
        long now = System.nanoTime();
        for (RunningJob job : batch) {
            inFlight.remove(job.id, job);
            QueueRunner runner = job.takeSlot();
            if (runner != null) {
                freed.merge(runner, 1, Integer::sum);
            }
            metrics.completed(job.queue, job.kind, now - job.startedNanos);
        }
        freed.forEach(QueueRunner::releaseSlots);
    }

    void completionsRefused(int count) {
        log.warn("{} job completions were refused: those attempts had lost their leases (rescued or released)", count);
    }

    /** The job's outcome is written (or given up): forget it and free its slot. */
    private void finishTracking(RunningJob job) {
        inFlight.remove(job.id, job);
        job.releaseSlot();
    }

    private void fail(RunningJob job, KindRegistry.Registration registration, Throwable error) {
        job.handlerDone = true;
        boolean permanent = error instanceof PermanentJobFailure;
        long backoff = permanent ? 0 : registration.options().retryPolicy().backoffAfter(job.attempt).toMillis();
        String message = describe(error);
        for (int tries = 1; ; tries++) {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(JobSql.FAIL)) {
                ps.setBoolean(1, permanent);
                ps.setLong(2, backoff);
                ps.setLong(3, backoff);
                ps.setBoolean(4, permanent);
                ps.setString(5, message);
                ps.setLong(6, job.id);
                ps.setInt(7, job.attempt);
                ps.setString(8, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        log.info("{} failed after losing its lease; the failure is not recorded: {}", job, message);
                    } else {
                        JobState state = JobState.fromDb(rs.getString(1));
                        switch (state) {
                            case DEAD -> {
                                metrics.dead(job.queue, job.kind);
                                log.error("{} failed{} and is dead-lettered: {}", job, permanent ? " permanently" : " its last attempt", message);
                            }
                            case CANCELLED -> {
                                metrics.cancelled(job.queue, job.kind);
                                log.info("{} ended cancelled", job);
                            }
                            default -> {
                                metrics.failed(job.queue, job.kind);
                                log.warn("{} failed, retrying in {} ms: {}", job, backoff, firstLine(message));
                            }
                        }
                    }
                }
                finishTracking(job);
                return;
            } catch (SQLException | RuntimeException e) {
                if (tries >= 5) {
                    log.error("Could not record the failure of {}; its lease will expire and it will be rescued", job, e);
                    finishTracking(job);
                    return;
                }
                sleep(200L * tries);
            }
        }
    }

    private void markCancelled(RunningJob job) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.CANCELLED_WHILE_RUNNING)) {
            ps.setLong(1, job.id);
            ps.setInt(2, job.attempt);
            ps.setString(3, workerId);
            if (ps.executeUpdate() == 1) {
                metrics.cancelled(job.queue, job.kind);
                log.info("{} ended cancelled", job);
            }
            finishTracking(job);
        } catch (SQLException e) {
            logDatabaseTrouble("recording a cancelled job", e);
            completer.add(job);
        }
    }

    private void release(List<RunningJob> jobs) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.RELEASE)) {
            Attempts.of(jobs).bind(connection, ps, 1, 2);
            ps.setString(3, workerId);
            List<String> queues = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    queues.add(rs.getString(1));
                }
            }
            try (PreparedStatement notify = connection.prepareStatement(JobSql.NOTIFY_QUEUES)) {
                notify.setArray(1, connection.createArrayOf("text", queues.stream().distinct().toArray()));
                notify.execute();
            }
            log.info("Released {} unfinished jobs at shutdown for other instances to run", queues.size());
        } catch (SQLException e) {
            log.warn("Could not release {} jobs at shutdown; they are rescued when their leases expire", jobs.size(), e);
        }
        jobs.forEach(this::finishTracking);
    }

    void wake(String queueName) {
        QueueRunner runner = runners.get(queueName);
        if (runner != null) {
            runner.wake();
        }
    }

    private void recheck(String queueName) {
        QueueRunner runner = runners.get(queueName);
        if (runner != null) {
            runner.recheck();
        }
    }

    void wakeAll() {
        runners.values().forEach(QueueRunner::wake);
    }

    void cancelRequested(long jobId) {
        RunningJob job = inFlight.get(jobId);
        if (job != null) {
            job.cancelRequested = true;
        }
    }

    private Duration heartbeatInterval() {
        Duration shortest = runners.values().stream().map(r -> r.options().leaseDuration()).min(Duration::compareTo)
                .orElse(QueueOptions.DEFAULT_LEASE);
        return shortest.dividedBy(3);
    }

    private void heartbeat() throws SQLException {
        if (inFlight.isEmpty()) {
            return;
        }
        Map<String, List<RunningJob>> byQueue = new LinkedHashMap<>();
        inFlight.values().forEach(j -> byQueue.computeIfAbsent(j.queue, q -> new ArrayList<>()).add(j));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.HEARTBEAT)) {
            for (Map.Entry<String, List<RunningJob>> entry : byQueue.entrySet()) {
                QueueRunner runner = runners.get(entry.getKey());
                long lease = runner == null ? QueueOptions.DEFAULT_LEASE.toMillis() : runner.options().leaseDuration().toMillis();
                Collection<RunningJob> jobs = entry.getValue();
                ps.setLong(1, lease);
                Attempts.of(jobs).bind(connection, ps, 2, 3);
                ps.setString(4, workerId);
                Map<Long, Boolean> renewed = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        renewed.put(rs.getLong(1), rs.getBoolean(2));
                    }
                }
                for (RunningJob job : jobs) {
                    Boolean cancel = renewed.get(job.id);
                    if (cancel == null) {
                        if (inFlight.get(job.id) == job && !job.leaseLost && !job.handlerDone) {
                            job.leaseLost = true;
                            log.warn("{} lost its lease (rescued by another instance after missed heartbeats)", job);
                        }
                    } else if (cancel) {
                        job.cancelRequested = true;
                    }
                }
            }
        }
    }

    private void promote() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.PROMOTE)) {
            ps.setInt(1, 5_000);
            ps.executeQuery().close();
        }
    }

    private void rescue() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(JobSql.RESCUE)) {
            ps.setInt(1, 1_000);
            Map<String, Integer> perQueue = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    perQueue.merge(rs.getString(2), 1, Integer::sum);
                    log.warn("Rescued job {} of queue '{}' from worker {} whose lease expired; now {}",
                            rs.getLong(1), rs.getString(2), rs.getString(4), rs.getString(3));
                }
            }
            perQueue.forEach(metrics::rescued);
        }
    }

    /** Runs the given maintenance task periodically, logging failures without stopping it. */
    private void schedule(Duration interval, String what, SqlTask task) {
        long millis = Math.max(10, interval.toMillis());
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (Exception e) {
                logDatabaseTrouble(what, e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    @FunctionalInterface
    private interface SqlTask {
        void run() throws Exception;
    }

    /** Database trouble is expected during outages: log it, but at most every 10 s per activity. */
    void logDatabaseTrouble(String activity, Exception e) {
        AtomicLong last = lastTroubleLog.computeIfAbsent(activity, a -> new AtomicLong());
        long now = System.currentTimeMillis();
        long previous = last.get();
        if (now - previous >= 10_000 && last.compareAndSet(previous, now)) {
            log.warn("Trouble {} (retrying): {}", activity, e.toString());
        }
    }

    /** Exception, message and the first frames (operators need where it failed, not the whole stack). */
    private static String describe(Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        String[] lines = trace.toString().split("\n");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, MAX_ERROR_LINES); i++) {
            text.append(lines[i].stripTrailing()).append('\n');
        }
        if (lines.length > MAX_ERROR_LINES) {
            text.append("\t... ").append(lines.length - MAX_ERROR_LINES).append(" more lines\n");
        }
        String result = text.toString().strip();
        return result.length() <= MAX_ERROR_LENGTH ? result : result.substring(0, MAX_ERROR_LENGTH) + " ... (truncated)";
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
