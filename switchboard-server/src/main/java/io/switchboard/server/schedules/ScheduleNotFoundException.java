package io.switchboard.server.schedules;

/** No schedule of that name is defined on this instance. */
class ScheduleNotFoundException extends RuntimeException {
    ScheduleNotFoundException(String name) {
        super("no schedule named '" + name + "'");
    }
}
