package io.switchboard.server.jobs;

/** The arguments do not fit the job kind's argument type. */
class InvalidJobArgumentsException extends RuntimeException {
    InvalidJobArgumentsException(String message, Throwable cause) {
        super(message, cause);
    }
}
