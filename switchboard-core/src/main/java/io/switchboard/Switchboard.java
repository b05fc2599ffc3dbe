package io.switchboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.jobs.JobEngine;
import io.switchboard.jobs.JobHandler;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.KindOptions;
import io.switchboard.jobs.QueueOptions;
import io.switchboard.jobs.Retention;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Entry point: Switchboard's capabilities on one PostgreSQL {@link DataSource}.
 *
 * <pre>{@code
 * record SendEmail(String to) {}
 * JobKind<SendEmail> SEND_EMAIL = JobKind.of("send-email", SendEmail.class);
 *
 * try (Switchboard switchboard = Switchboard.builder(dataSource)
 *         .handler(SEND_EMAIL, (email, ctx) -> mailer.send(email.to()))
 *         .build()) {
 *     switchboard.start();
 *     switchboard.jobs().enqueue(SEND_EMAIL, new SendEmail("a@example.com"));
 * }
 * }</pre>
 */
public final class Switchboard implements AutoCloseable {
    private final JobEngine jobEngine;

    private Switchboard(JobEngine jobEngine) {
        this.jobEngine = jobEngine;
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

    /** This instance's id. */
    public String instanceId() {
        return jobEngine.instanceId();
    }

    /** Starts the workers and the maintenance loops. */
    public Switchboard start() {
        jobEngine.start();
        return this;
    }

    /** Stops gracefully, letting running work finish for up to {@code timeout}. */
    public void stop(Duration timeout) {
        jobEngine.stop(timeout);
    }

    /** Stops gracefully with the configured shutdown timeout. */
    @Override
    public void close() {
        jobEngine.close();
    }

    /** Configuration of a {@link Switchboard}. */
    public static final class Builder {
        private final JobEngine.Builder jobs;

        private Builder(DataSource dataSource) {
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

        /** How this instance works one queue. */
        public Builder queue(QueueOptions options) {
            jobs.queue(options);
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
        public Builder jobs(java.util.function.Consumer<JobEngine.Builder> configure) {
            configure.accept(jobs);
            return this;
        }

        /** Migrates the schema and builds; call {@link Switchboard#start()} to run workers. */
        public Switchboard build() {
            return new Switchboard(jobs.build());
        }
    }
}
