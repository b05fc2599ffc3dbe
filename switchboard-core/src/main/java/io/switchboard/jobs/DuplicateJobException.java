package io.switchboard.jobs;

/** An unfinished job with the same kind and unique key exists and the request asked to be rejected. */
public class DuplicateJobException extends RuntimeException {
    private final long existingJobId;

    /** An exception naming the job that already holds the key. */
    public DuplicateJobException(String kind, String uniqueKey, long existingJobId) {
        super("an unfinished job of kind '" + kind + "' with unique key '" + uniqueKey + "' exists: job " + existingJobId);
        this.existingJobId = existingJobId;
    }

    /** Id of the unfinished job that holds the unique key. */
    public long existingJobId() {
        return existingJobId;
    }
}
