package io.switchboard.jobs;

import java.time.Instant;

/**
 * Why one attempt of a job failed.
 *
 * @param attempt the attempt number, from 1
 * @param at      database time of the failure
 * @param error   exception class and message, or a description such as a lost lease
 * @param worker  id of the instance that ran the attempt, if known
 */
public record AttemptError(int attempt, Instant at, String error, String worker) {
}
