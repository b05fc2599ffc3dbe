package io.switchboard.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to enqueue: its kind and arguments plus optional priority, delay, attempts and unique key. The job goes
 * to its kind's queue ({@link KindOptions#queue()}): workers run a kind on that queue only, so a job can never
 * be stranded on a queue nobody works for its kind.
 *
 * <pre>{@code
 * JobRequest.of(SEND_EMAIL, new SendEmail("a@example.com", "Hi"))
 *     .priority(5).delay(Duration.ofMinutes(1)).uniqueKey("welcome:42");
 * }</pre>
 *
 * Unset values come from the kind's registration ({@link KindOptions}): its retry policy's attempts. Every setter validates at once, so a bad value fails where it is written.
 */
public final class JobRequest {
    /** What to do when an unfinished job with the same kind and unique key exists. */
    public enum OnDuplicate {
        /** Return the existing job (the default): enqueueing becomes idempotent. */
        RETURN_EXISTING,
        /** Throw {@link DuplicateJobException}. */
        REJECT
    }

    private final String kind;
    private final Object args;
    private final String argsJson;
    private int priority;
    private Instant runAt;
    private Duration delay;
    private Integer maxAttempts;
    private String uniqueKey;
    private OnDuplicate onDuplicate = OnDuplicate.RETURN_EXISTING;

    private JobRequest(String kind, Object args, String argsJson) {
        this.kind = kind;
        this.args = args;
        this.argsJson = argsJson;
    }

    /** A job of {@code kind} with typed arguments (not null; use an empty record for none). */
    public static <T> JobRequest of(JobKind<T> kind, T args) {
        Objects.requireNonNull(kind, "kind");
        if (args == null) {
            throw new IllegalArgumentException("arguments of job kind '" + kind.name()
                    + "' must not be null; use an empty record for jobs without arguments");
        }
        return new JobRequest(kind.name(), args, null);
    }

    /**
     * A job of the kind named {@code kind} with arguments given as JSON text, for callers without the Java type
     * (an HTTP API). The JSON is checked against the registered kind's argument type when enqueued.
     */
    public static JobRequest ofJson(String kind, String argsJson) {
        Names.requireValid("job kind", kind, 200);
        if (argsJson == null || argsJson.isBlank()) {
            throw new IllegalArgumentException("arguments of job kind '" + kind + "' must be a JSON value, got nothing");
        }
        return new JobRequest(kind, null, argsJson);
    }

    /** Priority within the queue, -1000 to 1000; higher runs first (default 0). */
    public JobRequest priority(int priority) {
        if (priority < -1000 || priority > 1000) {
            throw new IllegalArgumentException("priority must be between -1000 and 1000, was " + priority);
        }
        this.priority = priority;
        return this;
    }

    /** Run no earlier than {@code runAt} (a time in the past means now). Replaces any {@link #delay}. */
    public JobRequest runAt(Instant runAt) {
        this.runAt = Objects.requireNonNull(runAt, "runAt");
        this.delay = null;
        return this;
    }

    /** Run no earlier than {@code delay} after the enqueue, measured on the database clock. Replaces any {@link #runAt}. */
    public JobRequest delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        this.delay = delay;
        this.runAt = null;
        return this;
    }

    /** Attempts before the job is dead-lettered, 1 to 1000 (default: the kind's retry policy). */
    public JobRequest maxAttempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("maxAttempts must be between 1 and 1000, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        return this;
    }

    /** At most one unfinished job of this kind holds {@code uniqueKey} (1 to 500 characters). */
    public JobRequest uniqueKey(String uniqueKey) {
        if (uniqueKey == null || uniqueKey.isEmpty() || uniqueKey.length() > 500) {
            throw new IllegalArgumentException("uniqueKey must be 1 to 500 characters");
        }
        this.uniqueKey = uniqueKey;
        return this;
    }

    /** What to do when the unique key is taken (default: return the existing job). */
    public JobRequest onDuplicate(OnDuplicate onDuplicate) {
        this.onDuplicate = Objects.requireNonNull(onDuplicate, "onDuplicate");
        return this;
    }

    String kind() {
        return kind;
    }

    Object args() {
        return args;
    }

    String argsJson() {
        return argsJson;
    }

    int priority() {
        return priority;
    }

    Instant runAt() {
        return runAt;
    }

    Duration delay() {
        return delay;
    }

    Integer maxAttempts() {
        return maxAttempts;
    }

    String uniqueKey() {
        return uniqueKey;
    }

    OnDuplicate onDuplicate() {
        return onDuplicate;
    }

    boolean isImmediate() {
        return runAt == null && (delay == null || delay.isZero());
    }
}
