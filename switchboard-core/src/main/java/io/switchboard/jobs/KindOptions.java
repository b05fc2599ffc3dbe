package io.switchboard.jobs;

import java.util.Objects;

/**
 * Per-kind defaults: the queue its jobs go to and its retry policy.
 *
 * @param queue       queue name
 * @param retryPolicy attempts and backoff
 */
public record KindOptions(String queue, RetryPolicy retryPolicy) {
    /** Validates both. */
    public KindOptions {
        Names.requireValid("queue", queue, 100);
        Objects.requireNonNull(retryPolicy, "retryPolicy");
    }

    /** The default queue and {@link RetryPolicy#DEFAULT}. */
    public static KindOptions defaults() {
        return new KindOptions(QueueOptions.DEFAULT_QUEUE, RetryPolicy.DEFAULT);
    }

    /** The same options on another queue. */
    public KindOptions inQueue(String queue) {
        return new KindOptions(queue, retryPolicy);
    }

    /** The same options with another retry policy. */
    public KindOptions withRetry(RetryPolicy retryPolicy) {
        return new KindOptions(queue, retryPolicy);
    }
}
