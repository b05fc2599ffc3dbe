package io.switchboard.jobs;

/**
 * Runs jobs of one kind. Throwing fails the attempt (it is retried with backoff, then dead-lettered);
 * throwing {@link PermanentJobFailure} dead-letters it at once. Returning normally completes it.
 *
 * @param <T> the arguments' type
 */
@FunctionalInterface
public interface JobHandler<T> {
    /** Does the work of one attempt. */
    void handle(T args, JobContext context) throws Exception;
}
