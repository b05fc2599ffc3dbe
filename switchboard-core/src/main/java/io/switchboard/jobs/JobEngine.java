package io.switchboard.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.switchboard.db.AfterCommit;
import io.switchboard.db.SchemaMigration;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The durable job queue on one instance: the {@link JobQueue} to enqueue and operate, and the workers that run
 * registered handlers once {@link #start() started}. Usually built through {@code Switchboard.builder}; usable
 * on its own:
 *
 * <pre>{@code
 * JobEngine jobs = JobEngine.builder(dataSource)
 *     .handler(SEND_EMAIL, (email, ctx) -> mailer.send(email))
 *     .build();
 * jobs.start();
 * jobs.queue().enqueue(SEND_EMAIL, new SendEmail("a@example.com", "Hi"));
 * }</pre>
 */
public final class JobEngine implements AutoCloseable {
    private final JobQueue queue;
    private final JobWorker worker;
    private final String instanceId;
    private final Duration shutdownTimeout;

    private JobEngine(Builder b) {
        JobMetrics metrics = new JobMetrics(b.meterRegistry);
        this.instanceId = b.instanceId;
        this.shutdownTimeout = b.shutdownTimeout;
        this.queue = new JobQueue(b.dataSource, b.kinds, b.json, metrics, b.retention);
        this.worker = new JobWorker(b.dataSource, b.instanceId, b.kinds, b.queues, b.json, metrics, queue,
                new JobWorker.WorkerSettings(b.promoteInterval, b.rescueInterval, b.pruneInterval, b.statsInterval));
        this.queue.onCommittedEnqueue(worker::wake);
        this.queue.afterCommit(b.afterCommit);
    }

    /** A builder on {@code dataSource} (any PostgreSQL DataSource; a pool is recommended). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Enqueue, look up, cancel, replay, statistics. */
    public JobQueue queue() {
        return queue;
    }

    /** The id this instance claims jobs under (shown as {@code worker_id}). */
    public String instanceId() {
        return instanceId;
    }

    /** Starts claiming and running jobs of every queue that has a handler, and the maintenance loop. */
    public void start() {
        worker.start();
    }

    /**
     * Stops gracefully: no new claims, running handlers get up to {@code timeout} to finish, the rest are released
     * for other instances (their attempt does not count).
     */
    public void stop(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        worker.stop(timeout);
        queue.stopWakeups();
    }

    /** {@link #stop(Duration)} with the configured shutdown timeout. */
    @Override
    public void close() {
        stop(shutdownTimeout);
    }

    /** Configuration of a {@link JobEngine}. Every method validates its input at once. */
    public static final class Builder {
        private final DataSource dataSource;
        private final KindRegistry kinds = new KindRegistry();
        private final Map<String, QueueOptions> queues = new LinkedHashMap<>();
        private JsonMapper json = strictJson();
        private MeterRegistry meterRegistry = new CompositeMeterRegistry();
        private String instanceId = defaultInstanceId();
        private Retention retention = Retention.DEFAULT;
        private AfterCommit afterCommit = AfterCommit.NONE;
        private Duration promoteInterval = Duration.ofMillis(200);
        private Duration rescueInterval = Duration.ofSeconds(5);
        private Duration pruneInterval = Duration.ofMinutes(1);
        private Duration statsInterval = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private boolean migrate = true;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Runs jobs of {@code kind} with {@code handler}, on the default queue with the default retry policy. */
        public <T> Builder handler(JobKind<T> kind, JobHandler<T> handler) {
            return handler(kind, KindOptions.defaults(), handler);
        }

        /** Runs jobs of {@code kind} with {@code handler} on the options' queue and retry policy. */
        public <T> Builder handler(JobKind<T> kind, KindOptions options, JobHandler<T> handler) {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(options, "options");
            kinds.register(kind, options, Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** Lets this instance enqueue jobs of {@code kind} that other instances run. */
        public Builder declare(JobKind<?> kind) {
            return declare(kind, KindOptions.defaults());
        }

        /** Lets this instance enqueue jobs of {@code kind}, with these defaults, that other instances run. */
        public Builder declare(JobKind<?> kind, KindOptions options) {
            kinds.register(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(options, "options"), null);
            return this;
        }

        /** How this instance works a queue (concurrency, lease, polling); queues not configured use defaults. */
        public Builder queue(QueueOptions options) {
            queues.put(options.name(), Objects.requireNonNull(options, "options"));
            return this;
        }

        /** The JSON mapper for job arguments (default: strict Jackson, unknown fields and coerced scalars rejected). */
        public Builder jsonMapper(JsonMapper json) {
            this.json = Objects.requireNonNull(json, "json");
            return this;
        }

        /** Where metrics go (default: nowhere). */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /** This instance's id (default: host, process id and a random suffix). */
        public Builder instanceId(String instanceId) {
            if (instanceId == null || instanceId.isBlank() || instanceId.length() > 200) {
                throw new IllegalArgumentException("instanceId must be 1 to 200 characters");
            }
            this.instanceId = instanceId;
            return this;
        }

        /**
         * How to wake workers after an enqueue that joined a caller's transaction commits (for example through the
         * application's transaction manager); by default such an enqueue sends a NOTIFY inside the transaction.
         */
        public Builder afterCommit(AfterCommit afterCommit) {
            this.afterCommit = Objects.requireNonNull(afterCommit, "afterCommit");
            return this;
        }

        /** How long finished jobs are kept. */
        public Builder retention(Retention retention) {
            this.retention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /** How often expired leases are looked for (default 5 s). Rescue happens within lease + this interval. */
        public Builder rescueInterval(Duration interval) {
            this.rescueInterval = positive("rescueInterval", interval);
            return this;
        }

        /** How often due delayed jobs and retries become available (default 200 ms). */
        public Builder promoteInterval(Duration interval) {
            this.promoteInterval = positive("promoteInterval", interval);
            return this;
        }

        /**
         * How often this instance's worker prunes old finished jobs (default 1 min); {@link Duration#ZERO} turns
         * it off when something else calls {@link JobQueue#pruneFinished()} (Switchboard's maintenance schedule).
         */
        public Builder pruneInterval(Duration interval) {
            Objects.requireNonNull(interval, "pruneInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("pruneInterval must not be negative, was " + interval);
            }
            this.pruneInterval = interval;
            return this;
        }

        /** How long {@link JobEngine#close()} lets running handlers finish (default 30 s). */
        public Builder shutdownTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative");
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** Whether {@link #build()} installs or upgrades the schema (default true). */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** The instance id this engine will claim jobs under. */
        public String instanceId() {
            return instanceId;
        }

        /** Migrates the schema (unless disabled) and builds the engine, not yet started. */
        public JobEngine build() {
            if (migrate) {
                SchemaMigration.migrate(dataSource);
            }
            return new JobEngine(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        /**
         * Job arguments are a contract between producers and handlers: unknown fields and silently coerced
         * scalars ("42" for 42) are errors at enqueue, not surprises in a handler.
         */
        private static JsonMapper strictJson() {
            return JsonMapper.builder()
                    .findAndAddModules()
                    .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(tools.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .build();
        }

        private static String defaultInstanceId() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
            return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
