package io.switchboard.jobs;

/** No job with the given id exists (never did, or it was pruned). */
public class JobNotFoundException extends RuntimeException {
    /** An exception naming the missing id. */
    public JobNotFoundException(long id) {
        super("job " + id + " not found");
    }
}
