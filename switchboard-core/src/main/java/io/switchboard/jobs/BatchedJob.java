package io.switchboard.jobs;

/**
 * One job of a {@link BatchJobHandler}'s run.
 *
 * @param id          the job's id
 * @param attempt     this attempt's number, from 1
 * @param maxAttempts attempts allowed in all
 * @param args        the job's arguments
 * @param <T>         the arguments' type
 */
public record BatchedJob<T>(long id, int attempt, int maxAttempts, T args) {
    /** Whether a failure of this attempt is the job's last (it is then dead-lettered). */
    public boolean lastAttempt() {
        return attempt >= maxAttempts;
    }
}
