package io.switchboard.schedule;

/** The work of a schedule's slot. Throwing fails the run: it is retried like any job, then dead-lettered. */
@FunctionalInterface
public interface ScheduledTask {
    /** Does the slot's work. */
    void run(ScheduleContext context) throws Exception;
}
