package io.switchboard.jobs;

import java.util.Objects;

/**
 * A named kind of job and the Java type of its arguments, which are stored as JSON.
 *
 * <pre>{@code
 * record SendEmail(String to, String subject) {}
 * static final JobKind<SendEmail> SEND_EMAIL = JobKind.of("send-email", SendEmail.class);
 * }</pre>
 *
 * @param name     stable name stored with every job; letters, digits and {@code . _ : -}, at most 200 characters
 * @param argsType type the arguments are serialised from and read back into
 * @param <T>      the arguments' type
 */
public record JobKind<T>(String name, Class<T> argsType) {
    /** Validates the name and the type. */
    public JobKind {
        Names.requireValid("job kind", name, 200);
        Objects.requireNonNull(argsType, "argsType");
    }

    /** A job kind named {@code name} whose arguments are a {@code argsType}. */
    public static <T> JobKind<T> of(String name, Class<T> argsType) {
        return new JobKind<>(name, argsType);
    }
}
