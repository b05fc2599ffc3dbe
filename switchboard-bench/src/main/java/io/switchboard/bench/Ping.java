package io.switchboard.bench;

/**
 * Arguments of the benchmark's no-op job in Switchboard: the job's sequence number within its workload.
 *
 * @param sequence the workload's number for this job
 */
public record Ping(long sequence) {
}
