package io.switchboard.jobs;

import java.time.Duration;

/**
 * Counts of one queue's unfinished and dead jobs.
 *
 * @param queue     queue name
 * @param available jobs ready to run
 * @param scheduled jobs waiting for their time
 * @param running   jobs being run
 * @param dead      dead-lettered jobs still retained
 * @param lag       age of the oldest available job (how far behind the queue is), zero when none waits
 */
public record QueueStats(String queue, long available, long scheduled, long running, long dead, Duration lag) {
}
