package io.switchboard.jobs;

/**
 * Outcome of an enqueue.
 *
 * @param id        id of the new job, or of the existing unfinished job holding the same unique key
 * @param state     state of that job right after the call
 * @param duplicate whether an existing job was returned instead of inserting one
 */
public record EnqueueResult(long id, JobState state, boolean duplicate) {
}
