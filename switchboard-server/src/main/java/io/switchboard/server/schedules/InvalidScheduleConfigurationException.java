package io.switchboard.server.schedules;

/** A schedule (or maintenance setting) in configuration is invalid: the server refuses to start. */
public class InvalidScheduleConfigurationException extends RuntimeException {
    InvalidScheduleConfigurationException(String message) {
        super(message);
    }

    InvalidScheduleConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
