package io.switchboard.server.jobs;

import io.switchboard.Switchboard;
import io.switchboard.jobs.JobHandler;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.KindOptions;

import java.util.Objects;

/**
 * A job kind this server runs. Declare one as a Spring bean and the server registers it with its
 * {@link Switchboard}, so jobs of that kind can be enqueued over HTTP and are run by the workers:
 *
 * <pre>{@code
 * record SendEmail(String to) {}
 *
 * @Bean
 * JobHandlerRegistration<SendEmail> sendEmail(Mailer mailer) {
 *     return JobHandlerRegistration.of(JobKind.of("send-email", SendEmail.class),
 *             (email, context) -> mailer.send(email.to()));
 * }
 * }</pre>
 *
 * @param kind    the kind's name and argument type
 * @param options the kind's queue and retry policy
 * @param handler runs one attempt
 * @param <T>     the arguments' type
 */
public record JobHandlerRegistration<T>(JobKind<T> kind, KindOptions options, JobHandler<T> handler) {
    public JobHandlerRegistration {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
    }

    /** A kind on the default queue with the default retry policy. */
    public static <T> JobHandlerRegistration<T> of(JobKind<T> kind, JobHandler<T> handler) {
        return new JobHandlerRegistration<>(kind, KindOptions.defaults(), handler);
    }

    void registerOn(Switchboard.Builder builder) {
        builder.handler(kind, options, handler);
    }
}
