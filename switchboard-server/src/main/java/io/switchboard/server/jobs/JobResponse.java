package io.switchboard.server.jobs;

import io.switchboard.jobs.AttemptError;
import io.switchboard.jobs.Job;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;

/**
 * A job as the API shows it: arguments as JSON (not a string), state in lower case, times in UTC.
 *
 * @param id              job id
 * @param queue           queue name
 * @param kind            job kind
 * @param args            arguments
 * @param state           scheduled, available, running, completed, cancelled or dead
 * @param priority        higher runs first within the queue
 * @param attempt         attempts started so far
 * @param maxAttempts     attempts allowed before it is dead-lettered
 * @param runAt           earliest time it may run
 * @param uniqueKey       unique key, or null
 * @param workerId        instance running (or that last ran) it, or null
 * @param cancelRequested whether a cancel was requested while it ran
 * @param errors          every failed attempt, oldest first
 * @param createdAt       when it was enqueued
 * @param attemptedAt     when its latest attempt started, or null
 * @param finishedAt      when it finished, or null
 */
record JobResponse(long id, String queue, String kind, JsonNode args, String state, int priority, int attempt,
                   int maxAttempts, Instant runAt, String uniqueKey, String workerId, boolean cancelRequested,
                   List<AttemptErrorResponse> errors, Instant createdAt, Instant attemptedAt, Instant finishedAt) {

    /**
     * One failed attempt.
     *
     * @param attempt attempt number, from 1
     * @param at      when it failed
     * @param error   exception and message
     * @param worker  instance that ran it
     */
    record AttemptErrorResponse(int attempt, Instant at, String error, String worker) {
        static AttemptErrorResponse of(AttemptError error) {
            return new AttemptErrorResponse(error.attempt(), error.at(), error.error(), error.worker());
        }
    }

    static JobResponse of(Job job, JsonMapper json) {
        return new JobResponse(job.id(), job.queue(), job.kind(), json.readTree(job.argsJson()), job.state().dbValue(),
                job.priority(), job.attempt(), job.maxAttempts(), job.runAt(), job.uniqueKey(), job.workerId(),
                job.cancelRequested(), job.errors().stream().map(AttemptErrorResponse::of).toList(), job.createdAt(),
                job.attemptedAt(), job.finishedAt());
    }
}
