package io.switchboard.schedule;

import java.time.Instant;

/**
 * A schedule's state across the cluster.
 *
 * @param name       schedule name
 * @param trigger    its trigger's text form
 * @param nextSlotAt the next slot not yet fired, or {@code null} before the first tick
 * @param paused     whether it is paused
 * @param lastRun    the latest run, or {@code null}
 */
public record ScheduleStatus(String name, String trigger, Instant nextSlotAt, boolean paused, ScheduleRun lastRun) {
}
