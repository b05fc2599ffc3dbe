package io.switchboard.jobs;

/**
 * The job no longer belongs to this attempt (its lease expired and it was rescued, or the instance released
 * it on shutdown), so its completion was refused and the handler's transaction rolled back.
 */
public class LeaseLostException extends RuntimeException {
    /** An exception for job {@code jobId} at attempt {@code attempt}. */
    public LeaseLostException(long jobId, int attempt) {
        super("job " + jobId + " attempt " + attempt + " lost its lease; its effects were rolled back");
    }
}
