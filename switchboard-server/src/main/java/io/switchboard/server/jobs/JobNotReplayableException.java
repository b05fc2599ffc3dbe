package io.switchboard.server.jobs;

/** Only dead or cancelled jobs can be replayed. */
class JobNotReplayableException extends RuntimeException {
    JobNotReplayableException(String message, Throwable cause) {
        super(message, cause);
    }
}
