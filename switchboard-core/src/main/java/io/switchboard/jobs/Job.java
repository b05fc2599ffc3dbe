package io.switchboard.jobs;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one job as stored.
 *
 * @param id              database id
 * @param queue           queue name
 * @param kind            job kind name
 * @param argsJson        arguments as JSON text
 * @param state           current state
 * @param priority        higher runs first within a queue
 * @param attempt         attempts started so far
 * @param maxAttempts     attempts allowed before the job is dead-lettered
 * @param runAt           earliest time it may run (database time)
 * @param uniqueKey       unique key, or {@code null}
 * @param workerId        instance running (or that last ran) it, or {@code null}
 * @param cancelRequested whether a cancel was requested while it ran
 * @param errors          every failed attempt's error, oldest first
 * @param createdAt       when it was enqueued
 * @param attemptedAt     when its latest attempt started, or {@code null}
 * @param finishedAt      when it reached a terminal state, or {@code null}
 */
public record Job(long id, String queue, String kind, String argsJson, JobState state, int priority, int attempt,
                  int maxAttempts, Instant runAt, String uniqueKey, String workerId, boolean cancelRequested,
                  List<AttemptError> errors, Instant createdAt, Instant attemptedAt, Instant finishedAt) {
    /** Copies the error list. */
    public Job {
        errors = List.copyOf(errors);
    }
}
