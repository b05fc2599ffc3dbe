package io.switchboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.switchboard.idempotency.IdempotencyKeys;
import io.switchboard.idempotency.IdempotencyOptions;
import io.switchboard.instance.Instances;
import io.switchboard.jobs.JobEngine;
import io.switchboard.jobs.JobHandler;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.KindOptions;
import io.switchboard.jobs.QueueOptions;
import io.switchboard.jobs.Retention;
import io.switchboard.limit.RateLimiter;
import io.switchboard.lock.AdvisoryLocks;
import io.switchboard.lock.Leases;
import io.switchboard.schedule.Schedule;
import io.switchboard.schedule.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Entry point: Switchboard's capabilities on one PostgreSQL {@link DataSource} — the durable job queue,
 * cluster-safe schedules, leases with fencing tokens, advisory locks, idempotency keys, the instance registry and a
 * shared rate limiter.
 *
 * <pre>{@code
 * record SendEmail(String to) {}
 * JobKind<SendEmail> SEND_EMAIL = JobKind.of("send-email", SendEmail.class);
 *
 * try (Switchboard switchboard = Switchboard.builder(dataSource)
 *         .handler(SEND_EMAIL, (email, ctx) -> mailer.send(email.to()))
 *         .schedule(Schedule.every("stale-sessions", Duration.ofMinutes(5), ctx -> sessions.cleanup()))
 *         .build()
 *         .start()) {
 *     switchboard.jobs().enqueue(SEND_EMAIL, new SendEmail("a@example.com"));
 * }
 * }</pre>
 */
public final class Switchboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Switchboard.class);

    private final JobEngine jobEngine;
    private final Scheduler scheduler;
    private final Leases leases;
    private final AdvisoryLocks advisoryLocks;
    private final Instances instances;
    private final IdempotencyKeys idempotencyKeys;
    private final RateLimiter rateLimiter;
    private ScheduledExecutorService heartbeat;

    private Switchboard(JobEngine jobEngine, Scheduler scheduler, Leases leases, AdvisoryLocks advisoryLocks,
                        Instances instances, IdempotencyKeys idempotencyKeys, RateLimiter rateLimiter) {
        this.jobEngine = jobEngine;
        this.scheduler = scheduler;
        this.leases = leases;
        this.advisoryLocks = advisoryLocks;
        this.instances = instances;
        this.idempotencyKeys = idempotencyKeys;
        this.rateLimiter = rateLimiter;
    }

    /** A builder on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The job queue: enqueue, look up, cancel, replay, statistics. */
    public JobQueue jobs() {
        return jobEngine.queue();
    }

    /** The job engine (workers and queue) of this instance. */
    public JobEngine jobEngine() {
        return jobEngine;
    }

    /** Schedules: status, run history, pause, resume, trigger now. */
    public Scheduler schedules() {
        return scheduler;
    }

    /** Leases with fencing tokens. */
    public Leases leases() {
        return leases;
    }

    /** Transaction-scoped advisory locks by name. */
    public AdvisoryLocks advisoryLocks() {
        return advisoryLocks;
    }

    /** The instance registry: who is alive, what each runs, which leases each holds. */
    public Instances instances() {
        return instances;
    }

    /** The idempotency-key store: run a request once, replay its response to retries. */
    public IdempotencyKeys idempotencyKeys() {
        return idempotencyKeys;
    }

    /**
     * The rate limiter shared by every instance on this database (GCRA, one statement per decision, database
     * time). Usable without {@link #start()}; its idle keys are purged by the {@code switchboard.purge-rate-limits}
     * maintenance schedule once started.
     */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** This instance's id (jobs' {@code worker_id}, leases' {@code instance_id}, the registry's id). */
    public String instanceId() {
        return jobEngine.instanceId();
    }

    /** Registers this instance, starts the workers, the scheduler and the heartbeats. */
    public synchronized Switchboard start() {
        if (heartbeat != null) {
            return this;
        }
        try {
            instances.register();
        } catch (java.sql.SQLException e) {
            throw new io.switchboard.db.DatabaseException("could not register instance " + instanceId(), e);
        }
        jobEngine.start();
        scheduler.start(jobEngine.queue());
        heartbeat = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("switchboard-instance-heartbeat").factory());
        long period = Instances.HEARTBEAT.toMillis();
        heartbeat.scheduleWithFixedDelay(() -> {
            try {
                instances.heartbeat();
            } catch (Exception e) {
                log.warn("Instance heartbeat failed (retrying): {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stops gracefully: no new slots or claims, running work gets up to {@code timeout}, leases are released. */
    public synchronized void stop(Duration timeout) {
        scheduler.stop();
        jobEngine.stop(timeout);
        leases.close();
        if (heartbeat != null) {
            heartbeat.shutdownNow();
            heartbeat = null;
            instances.markStopped();
        }
    }

    /** Stops gracefully with the configured shutdown timeout. */
    @Override
    public synchronized void close() {
        scheduler.stop();
        jobEngine.close();
        leases.close();
        if (heartbeat != null) {
            heartbeat.shutdownNow();
            heartbeat = null;
            instances.markStopped();
        }
    }

    /** Configuration of a {@link Switchboard}. */
    public static final class Builder {
        private final DataSource dataSource;
        private final JobEngine.Builder jobs;
        private final List<Schedule> schedules = new ArrayList<>();
        private Duration scheduleTick = Duration.ofMillis(500);
        private Clock clock = Clock.systemUTC();
        private Maintenance maintenance = Maintenance.DEFAULT;
        private IdempotencyOptions idempotency = IdempotencyOptions.DEFAULT;
        private MeterRegistry meterRegistry = new CompositeMeterRegistry();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.jobs = JobEngine.builder(dataSource);
        }

        /** Runs jobs of {@code kind} with {@code handler} on the default queue. */
        public <T> Builder handler(JobKind<T> kind, JobHandler<T> handler) {
            jobs.handler(kind, handler);
            return this;
        }

        /** Runs jobs of {@code kind} with {@code handler} with per-kind queue and retry policy. */
        public <T> Builder handler(JobKind<T> kind, KindOptions options, JobHandler<T> handler) {
            jobs.handler(kind, options, handler);
            return this;
        }

        /** Lets this instance enqueue jobs of {@code kind} that other instances run. */
        public Builder declare(JobKind<?> kind, KindOptions options) {
            jobs.declare(kind, options);
            return this;
        }

        /** How this instance works one queue (scheduled runs use the queue {@value Scheduler#QUEUE}). */
        public Builder queue(QueueOptions options) {
            jobs.queue(options);
            return this;
        }

        /** A schedule whose slots run exactly once across all instances that define it. */
        public Builder schedule(Schedule schedule) {
            schedules.add(Objects.requireNonNull(schedule, "schedule"));
            return this;
        }

        /** How often due schedule slots are looked for (default 500 ms). */
        public Builder scheduleTick(Duration tick) {
            this.scheduleTick = Objects.requireNonNull(tick, "tick");
            return this;
        }

        /** Intervals of the built-in maintenance schedules. */
        public Builder maintenance(Maintenance maintenance) {
            this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
            return this;
        }

        /** Lifetime, in-flight lease and reaping of idempotency keys (default {@link IdempotencyOptions#DEFAULT}). */
        public Builder idempotency(IdempotencyOptions options) {
            this.idempotency = Objects.requireNonNull(options, "options");
            return this;
        }

        /** The clock used only for schedules run locally while the database is unreachable (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long finished jobs are kept. */
        public Builder retention(Retention retention) {
            jobs.retention(retention);
            return this;
        }

        /** Where metrics go. */
        public Builder meterRegistry(MeterRegistry registry) {
            jobs.meterRegistry(registry);
            this.meterRegistry = registry;
            return this;
        }

        /** The JSON mapper for job arguments. */
        public Builder jsonMapper(JsonMapper json) {
            jobs.jsonMapper(json);
            return this;
        }

        /** This instance's id. */
        public Builder instanceId(String instanceId) {
            jobs.instanceId(instanceId);
            return this;
        }

        /** Fine-tuning of the job engine beyond the common settings above. */
        public Builder jobs(Consumer<JobEngine.Builder> configure) {
            configure.accept(jobs);
            return this;
        }

        /** Migrates the schema and builds; call {@link Switchboard#start()} to run workers and schedules. */
        public Switchboard build() {
            String instanceId = jobs.instanceId();
            Leases leases = new Leases(dataSource, instanceId);
            Instances instances = new Instances(dataSource, instanceId);
            IdempotencyKeys idempotencyKeys = new IdempotencyKeys(dataSource, idempotency, meterRegistry);
            RateLimiter rateLimiter = new RateLimiter(dataSource, meterRegistry);
            // The maintenance schedules call into objects that exist only after build: hold them here.
            Scheduler[] schedulerRef = new Scheduler[1];
            JobEngine[] engineRef = new JobEngine[1];
            List<Schedule> all = new ArrayList<>(schedules);
            all.add(Schedule.every("switchboard.prune-jobs", maintenance.pruneJobsEvery(), ctx -> {
                engineRef[0].queue().pruneFinished();
                schedulerRef[0].reconcileRuns();
            }).withMaxAttempts(1));
            all.add(Schedule.every("switchboard.cleanup-leases", maintenance.cleanupLeasesEvery(),
                    ctx -> leases.cleanupExpired()).withMaxAttempts(1));
            all.add(Schedule.every("switchboard.prune-history", maintenance.pruneHistoryEvery(), ctx -> {
                schedulerRef[0].pruneRuns(maintenance.runHistoryRetention());
                instances.prune();
            }).withMaxAttempts(1));
            all.add(Schedule.every("switchboard.reap-idempotency-keys", idempotency.reapEvery(),
                    ctx -> idempotencyKeys.reapExpired()).withMaxAttempts(1));
            all.add(Schedule.every("switchboard.purge-rate-limits", maintenance.purgeRateLimitsEvery(),
                    ctx -> rateLimiter.purgeIdle()).withMaxAttempts(1));
            Scheduler scheduler = new Scheduler(dataSource, instanceId, all, scheduleTick, clock);
            scheduler.registerJobs(jobs);
            jobs.pruneInterval(Duration.ZERO);
            JobEngine engine = jobs.build();
            schedulerRef[0] = scheduler;
            engineRef[0] = engine;
            return new Switchboard(engine, scheduler, leases, new AdvisoryLocks(dataSource), instances,
                    idempotencyKeys, rateLimiter);
        }
    }
}
