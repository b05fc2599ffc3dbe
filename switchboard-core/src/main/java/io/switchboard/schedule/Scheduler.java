package io.switchboard.schedule;

import static io.switchboard.db.Columns.instant;

import io.switchboard.db.Transactions;
import io.switchboard.jobs.EnqueueResult;
import io.switchboard.jobs.JobContext;
import io.switchboard.jobs.JobEngine;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobRequest;
import io.switchboard.jobs.KindOptions;
import io.switchboard.jobs.PermanentJobFailure;
import io.switchboard.jobs.RetryPolicy;
import io.switchboard.db.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fires the slots of schedules defined in code, exactly once per slot across any number of instances, as jobs
 * of the durable queue; keeps the run history; pauses, resumes and triggers schedules by hand.
 *
 * <p>How exactly-once holds: every instance ticks (default every 500 ms) and reads its schedules' next slots
 * on database time. A due schedule is worked inside one transaction holding its row lock
 * ({@code FOR UPDATE SKIP LOCKED}, so one instance at a time); each slot gets a run row whose unique index on
 * (schedule, slot) refuses a second run of the same slot, and the slot's job is enqueued in that same
 * transaction. A crash before commit leaves nothing; after commit the job is durable and rescued like any job.
 * Application-server clocks are never consulted (except for local runs when the database is unreachable).
 *
 * <p>Usually obtained from {@code Switchboard.schedules()}.
 */
public final class Scheduler implements AutoCloseable {
    /** The job queue scheduled runs go to. */
    public static final String QUEUE = "schedules";

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    private static final int MAX_DUE_SLOTS = 10_000;
    private static final int MAX_RECORDED_SKIPS = 100;

    /** Arguments of a scheduled run's job. */
    record SlotArgs(long runId, Instant slot, boolean manual) {
    }

    private final DataSource dataSource;
    private final String instanceId;
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private final Duration tick;
    private final Clock clock;
    private final Map<String, Instant> knownNext = new ConcurrentHashMap<>();
    private final ExecutorService localRuns = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("switchboard-local-run-", 0).factory());
    private volatile JobQueue jobs;
    private volatile boolean running;
    private volatile boolean databaseDown;
    private Thread localLoop;
    private Thread ticker;

    /**
     * A scheduler for {@code schedules} (wired by {@code Switchboard}; call {@link #registerJobs} before the
     * job engine is built and {@link #start} after).
     *
     * @param tick  how often due slots are looked for
     * @param clock used only for runs made locally while the database is unreachable
     */
    public Scheduler(DataSource dataSource, String instanceId, List<Schedule> schedules, Duration tick, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tick, "tick");
        if (tick.compareTo(Duration.ofMillis(5)) < 0) {
            throw new IllegalArgumentException("schedule tick must be at least 5 ms, was " + tick);
        }
        this.tick = tick;
        for (Schedule schedule : schedules) {
            if (this.schedules.putIfAbsent(schedule.name(), schedule) != null) {
                throw new IllegalArgumentException("schedule '" + schedule.name() + "' is defined twice");
            }
        }
    }

    /** Registers, for each schedule, the job kind that carries its runs. */
    public void registerJobs(JobEngine.Builder engine) {
        for (Schedule schedule : schedules.values()) {
            KindOptions options = KindOptions.defaults().inQueue(QUEUE)
                    .withRetry(RetryPolicy.maxAttempts(schedule.maxAttempts()));
            engine.handler(kind(schedule.name()), options, (args, ctx) -> runSlot(schedule, args, ctx));
        }
    }

    /** Records the schedules in the database (the last started instance's definition wins) and starts ticking. */
    public synchronized void start(JobQueue jobQueue) {
        if (running) {
            return;
        }
        this.jobs = Objects.requireNonNull(jobQueue, "jobQueue");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.REGISTER)) {
            for (Schedule schedule : schedules.values()) {
                ps.setString(1, schedule.name());
                ps.setString(2, schedule.trigger().describe());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new DatabaseException("could not register schedules", e);
        }
        running = true;
        if (!schedules.isEmpty()) {
            ticker = Thread.ofPlatform().daemon().name("switchboard-scheduler").start(this::tickLoop);
        }
        log.info("Scheduler started with {} schedules: {}", schedules.size(), schedules.keySet());
    }

    /** Stops firing slots (runs already enqueued are the job engine's to finish). */
    public synchronized void stop() {
        running = false;
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticker = null;
        }
        localRuns.shutdown();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Names of the schedules this instance defines. */
    public List<String> names() {
        return List.copyOf(schedules.keySet());
    }

    /** The state of every schedule this instance defines. */
    public List<ScheduleStatus> list() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.LIST)) {
            ps.setArray(1, c.createArrayOf("text", schedules.keySet().toArray()));
            List<ScheduleStatus> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ScheduleRun last = rs.getObject(5) == null ? null : run(rs, 5);
                    result.add(new ScheduleStatus(rs.getString(1), rs.getString(2), instant(rs, 3), rs.getBoolean(4), last));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new DatabaseException("could not list schedules", e);
        }
    }

    /** The state of one schedule. */
    public ScheduleStatus status(String name) {
        require(name);
        return list().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("schedule '" + name + "' is not registered yet"));
    }

    /** Pauses a schedule on every instance: no slot fires until it is resumed. A running run goes on. */
    public void pause(String name) {
        update(ScheduleSql.PAUSE, require(name).name());
        log.info("Schedule '{}' paused", name);
    }

    /** Resumes a schedule from its next slot after now; slots that fell during the pause do not run. */
    public void resume(String name) {
        update(ScheduleSql.RESUME, require(name).name());
        log.info("Schedule '{}' resumed", name);
    }

    /**
     * Runs a schedule now, outside its slots, as a manual run (also when paused). Without overlap allowed, and
     * with a run unfinished, the manual run is recorded as skipped.
     */
    public ScheduleRun triggerNow(String name) {
        Schedule schedule = require(name);
        requireStarted();
        try (Connection c = dataSource.getConnection()) {
            long runId = Transactions.inTransaction(c, conn -> {
                try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.INSERT_MANUAL_RUN)) {
                    ps.setString(1, name);
                    ps.setString(2, instanceId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        long id = rs.getLong(1);
                        enqueueRun(conn, schedule, id, instant(rs, 2), true);
                        return id;
                    }
                }
            });
            log.info("Schedule '{}' triggered by hand (run {})", name, runId);
            return runs(name, 50).stream().filter(r -> r.id() == runId).findFirst().orElseThrow();
        } catch (SQLException e) {
            throw new DatabaseException("could not trigger schedule '" + name + "'", e);
        }
    }

    /** The latest runs of a schedule, newest slot first (1 to 1000). */
    public List<ScheduleRun> runs(String name, int limit) {
        require(name);
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.RUNS)) {
            ps.setString(1, name);
            ps.setInt(2, limit);
            List<ScheduleRun> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(run(rs, 1));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new DatabaseException("could not read runs of '" + name + "'", e);
        }
    }

    /** Marks runs whose job died or was cancelled without reporting it (e.g. killed on its last attempt). */
    public int reconcileRuns() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.RECONCILE)) {
            return ps.executeUpdate();
        }
    }

    /** Deletes finished runs older than {@code retention}, in batches; returns how many. */
    public int pruneRuns(Duration retention) throws SQLException {
        int total = 0;
        int deleted;
        do {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.PRUNE_RUNS)) {
                ps.setLong(1, retention.toMillis());
                deleted = ps.executeUpdate();
                total += deleted;
            }
        } while (deleted == 5_000);
        return total;
    }

    static JobKind<SlotArgs> kind(String schedule) {
        return JobKind.of("schedule:" + schedule, SlotArgs.class);
    }

    private Schedule require(String name) {
        Schedule schedule = schedules.get(name);
        if (schedule == null) {
            throw new NoSuchElementException("unknown schedule '" + name + "'");
        }
        return schedule;
    }

    private void requireStarted() {
        if (jobs == null) {
            throw new IllegalStateException("the scheduler is not started");
        }
    }

    private void update(String sql, String name) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            if (ps.executeUpdate() == 0) {
                throw new NoSuchElementException("schedule '" + name + "' is not registered yet");
            }
        } catch (SQLException e) {
            throw new DatabaseException("could not update schedule '" + name + "'", e);
        }
    }

    // ---- ticking ----

    private void tickLoop() {
        while (running) {
            try {
                tickOnce();
                if (databaseDown) {
                    databaseDown = false;
                    log.warn("Database reachable again: schedules are coordinated again");
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                coordinationFailure(e);
            }
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void tickOnce() throws SQLException {
        List<String> due = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.STATE)) {
            ps.setArray(1, c.createArrayOf("text", schedules.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    Schedule schedule = schedules.get(name);
                    Instant next = instant(rs, 3);
                    Instant now = instant(rs, 5);
                    knownNext.put(name, next != null ? next : schedule.trigger().nextAfter(now));
                    boolean mine = schedule.trigger().describe().equals(rs.getString(2));
                    boolean slotDue = next == null || !next.isAfter(now);
                    if (mine && !rs.getBoolean(4) && (slotDue || rs.getBoolean(6))) {
                        due.add(name);
                    }
                }
            }
        }
        for (String name : due) {
            fireDue(schedules.get(name));
        }
    }

    private void fireDue(Schedule schedule) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Transactions.inTransaction(c, conn -> {
                Instant next;
                Instant now;
                try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.LOCK)) {
                    ps.setString(1, schedule.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next() || rs.getBoolean(3) || !schedule.trigger().describe().equals(rs.getString(1))) {
                            return null; // another instance works it right now, or it is paused or redefined
                        }
                        next = instant(rs, 2);
                        now = instant(rs, 4);
                    }
                }
                if (next == null) {
                    advance(conn, schedule, schedule.trigger().nextAfter(now));
                    return null;
                }
                if (next.isAfter(now)) {
                    startBacklog(conn, schedule);
                    return null;
                }
                List<Instant> dueSlots = new ArrayList<>();
                Instant slot = next;
                while (!slot.isAfter(now) && dueSlots.size() < MAX_DUE_SLOTS) {
                    dueSlots.add(slot);
                    slot = schedule.trigger().nextAfter(slot);
                }
                if (dueSlots.size() == MAX_DUE_SLOTS) {
                    slot = schedule.trigger().nextAfter(now);
                }
                fire(conn, schedule, dueSlots, now);
                advance(conn, schedule, slot);
                startBacklog(conn, schedule);
                return null;
            });
        }
    }

    private void fire(Connection conn, Schedule schedule, List<Instant> dueSlots, Instant now) throws SQLException {
        List<Instant> late = new ArrayList<>();
        List<Instant> onTime = new ArrayList<>();
        for (Instant slot : dueSlots) {
            (Duration.between(slot, now).compareTo(schedule.grace()) > 0 ? late : onTime).add(slot);
        }
        int runLate = switch (schedule.missedSlots().mode()) {
            case SKIP -> 0;
            case RUN_ONCE -> Math.min(1, late.size());
            case CATCH_UP -> Math.min(schedule.missedSlots().maxRuns(), late.size());
        };
        List<Instant> skipped = late.subList(0, late.size() - runLate);
        List<Instant> toRun = new ArrayList<>(late.subList(late.size() - runLate, late.size()));
        toRun.addAll(onTime);
        if (!skipped.isEmpty()) {
            log.warn("Schedule '{}' missed {} slots ({} .. {}); policy {} runs {} of them", schedule.name(),
                    late.size(), late.getFirst(), late.getLast(), schedule.missedSlots().mode(), runLate);
            for (Instant slot : skipped.subList(Math.max(0, skipped.size() - MAX_RECORDED_SKIPS), skipped.size())) {
                insertRun(conn, schedule, slot, "skipped", "missed slot: no instance could fire it within "
                        + schedule.grace() + " (policy " + schedule.missedSlots().mode() + ")");
            }
        }
        // Without overlap, catch-up runs (and slots arriving behind them) queue up as a backlog that starts one
        // run at a time; with overlap allowed, every run starts at once.
        boolean backlog = !schedule.allowOverlap() && (runLate > 1 || hasBacklog(conn, schedule));
        for (Instant slot : toRun) {
            Long runId = insertRun(conn, schedule, slot, "pending", null);
            if (runId != null && !backlog) {
                enqueueRun(conn, schedule, runId, slot, false);
            }
        }
    }

    private boolean hasBacklog(Connection conn, Schedule schedule) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.BACKLOG_HEAD)) {
            ps.setString(1, schedule.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Starts the oldest backlog run if the schedule has no unfinished run. */
    private void startBacklog(Connection conn, Schedule schedule) throws SQLException {
        if (schedule.allowOverlap()) {
            return;
        }
        long runId;
        Instant slot;
        try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.BACKLOG_HEAD)) {
            ps.setString(1, schedule.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                runId = rs.getLong(1);
                slot = instant(rs, 2);
            }
        }
        EnqueueResult job = jobs.enqueue(conn, slotJob(schedule, runId, slot, false));
        if (!job.duplicate()) {
            try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.SET_JOB)) {
                ps.setLong(1, job.id());
                ps.setLong(2, runId);
                ps.executeUpdate();
            }
        }
    }

    private static JobRequest slotJob(Schedule schedule, long runId, Instant slot, boolean manual) {
        JobRequest request = JobRequest.of(kind(schedule.name()), new SlotArgs(runId, slot, manual))
                .maxAttempts(schedule.maxAttempts());
        if (!schedule.allowOverlap()) {
            request.uniqueKey("unfinished-run");
        }
        return request;
    }

    private Long insertRun(Connection conn, Schedule schedule, Instant slot, String status, String error) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.INSERT_RUN)) {
            ps.setString(1, schedule.name());
            ps.setTimestamp(2, Timestamp.from(slot));
            ps.setBoolean(3, false);
            ps.setString(4, status);
            ps.setString(5, instanceId);
            ps.setString(6, error);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private void enqueueRun(Connection conn, Schedule schedule, long runId, Instant slot, boolean manual) throws SQLException {
        EnqueueResult job = jobs.enqueue(conn, slotJob(schedule, runId, slot, manual));
        if (job.duplicate()) {
            try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.OVERLAP_SKIPPED)) {
                ps.setLong(1, job.id());
                ps.setString(2, Long.toString(job.id()));
                ps.setLong(3, runId);
                ps.executeUpdate();
            }
            log.warn("Schedule '{}' slot {} skipped: the previous run (job {}) is unfinished", schedule.name(), slot, job.id());
        } else {
            try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.SET_JOB)) {
                ps.setLong(1, job.id());
                ps.setLong(2, runId);
                ps.executeUpdate();
            }
        }
    }

    private static void advance(Connection conn, Schedule schedule, Instant next) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.ADVANCE)) {
            ps.setTimestamp(1, Timestamp.from(next));
            ps.setString(2, schedule.name());
            ps.executeUpdate();
        }
    }

    // ---- running a slot (inside the slot's job) ----

    private void runSlot(Schedule schedule, SlotArgs args, JobContext job) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.RUN_STARTED)) {
            ps.setString(1, instanceId);
            ps.setInt(2, job.attempt());
            ps.setLong(3, args.runId());
            ps.executeUpdate();
        }
        RunContext context = new RunContext(schedule, args, job);
        try {
            schedule.task().run(context);
        } catch (Exception | Error e) {
            if (!context.completed) {
                boolean last = job.attempt() >= job.maxAttempts() || e instanceof PermanentJobFailure;
                try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ScheduleSql.RUN_FAILED)) {
                    ps.setString(1, last ? "dead" : "failed");
                    ps.setString(2, e.getClass().getName() + ": " + e.getMessage());
                    ps.setLong(3, args.runId());
                    ps.executeUpdate();
                }
            }
            throw e;
        }
        if (!context.completed) {
            context.completeInTransaction(conn -> null);
        }
    }

    private static void markSucceeded(Connection conn, long runId) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(ScheduleSql.RUN_SUCCEEDED)) {
            ps.setLong(1, runId);
            ps.executeUpdate();
        }
    }

    private static final class RunContext implements ScheduleContext {
        private final Schedule schedule;
        private final SlotArgs args;
        private final JobContext job;
        private volatile boolean completed;

        RunContext(Schedule schedule, SlotArgs args, JobContext job) {
            this.schedule = schedule;
            this.args = args;
            this.job = job;
        }

        @Override
        public String schedule() {
            return schedule.name();
        }

        @Override
        public long runId() {
            return args.runId();
        }

        @Override
        public boolean local() {
            return false;
        }

        @Override
        public Instant slot() {
            return args.slot();
        }

        @Override
        public boolean manual() {
            return args.manual();
        }

        @Override
        public int attempt() {
            return job.attempt();
        }

        @Override
        public boolean isCancellationRequested() {
            return job.isCancellationRequested();
        }

        @Override
        public <R> R completeInTransaction(JobContext.TransactionalWork<R> work) throws Exception {
            R result = job.completeInTransaction(conn -> {
                R value = work.run(conn);
                markSucceeded(conn, args.runId());
                return value;
            });
            completed = true;
            return result;
        }
    }

    // ---- the database is unreachable ----

    /**
     * The database is unreachable. Slots are then judged on this instance's clock, by a loop of its own (a tick
     * may hang as long as the pool's connection timeout), until a tick succeeds again.
     */
    private synchronized void coordinationFailure(Exception cause) {
        if (databaseDown) {
            return;
        }
        databaseDown = true;
        log.error("DATABASE UNREACHABLE ({}): schedules fall back to their coordination-failure policy", cause.toString());
        if (localLoop == null || !localLoop.isAlive()) {
            localLoop = Thread.ofVirtual().name("switchboard-scheduler-fallback").start(() -> {
                while (running && databaseDown) {
                    fallbackTick(cause);
                    try {
                        Thread.sleep(tick);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
    }

    private void fallbackTick(Exception cause) {
        Instant localNow = clock.instant();
        for (Schedule schedule : schedules.values()) {
            Instant next = knownNext.computeIfAbsent(schedule.name(), n -> schedule.trigger().nextAfter(localNow));
            if (next.isAfter(localNow)) {
                continue;
            }
            Instant slot = next;
            for (int i = 0; i < MAX_DUE_SLOTS && !schedule.trigger().nextAfter(slot).isAfter(localNow); i++) {
                slot = schedule.trigger().nextAfter(slot);
            }
            knownNext.put(schedule.name(), schedule.trigger().nextAfter(localNow));
            if (schedule.coordinationFailure() == CoordinationFailure.SKIP) {
                log.error("DATABASE UNREACHABLE ({}): slot {} of schedule '{}' is SKIPPED on this instance "
                        + "(coordination-failure policy SKIP)", cause.toString(), slot, schedule.name());
            } else {
                Instant localSlot = slot;
                log.error("DATABASE UNREACHABLE ({}): slot {} of schedule '{}' RUNS LOCALLY without coordination "
                        + "(policy RUN_LOCALLY): other instances may run it too, and no history is kept",
                        cause.toString(), slot, schedule.name());
                localRuns.execute(() -> runLocally(schedule, localSlot));
            }
        }
    }

    private void runLocally(Schedule schedule, Instant slot) {
        ScheduleContext context = new ScheduleContext() {
            @Override
            public String schedule() {
                return schedule.name();
            }

            @Override
            public long runId() {
                return -1;
            }

            @Override
            public boolean local() {
                return true;
            }

            @Override
            public Instant slot() {
                return slot;
            }

            @Override
            public boolean manual() {
                return false;
            }

            @Override
            public int attempt() {
                return 1;
            }

            @Override
            public boolean isCancellationRequested() {
                return !running;
            }

            @Override
            public <R> R completeInTransaction(JobContext.TransactionalWork<R> work) {
                throw new IllegalStateException("schedule '" + schedule.name()
                        + "' runs locally because the database is unreachable: no transaction is available");
            }
        };
        try {
            schedule.task().run(context);
            log.warn("Local run of schedule '{}' slot {} finished", schedule.name(), slot);
        } catch (Exception e) {
            log.error("Local run of schedule '{}' slot {} failed", schedule.name(), slot, e);
        }
    }

    // ---- mapping ----

    private static ScheduleRun run(ResultSet rs, int first) throws SQLException {
        Instant started = instant(rs, first + 10);
        Instant finished = instant(rs, first + 11);
        Long jobId = rs.getObject(first + 5) == null ? null : rs.getLong(first + 5);
        return new ScheduleRun(rs.getLong(first), rs.getString(first + 1), instant(rs, first + 2), rs.getBoolean(first + 3),
                rs.getString(first + 4), jobId, rs.getString(first + 6), rs.getString(first + 7), rs.getInt(first + 8),
                instant(rs, first + 9), started, finished,
                started != null && finished != null ? Duration.between(started, finished) : null, rs.getString(first + 12));
    }

}
