package io.switchboard.server.schedules;

import java.util.List;

/** Lists of the schedule API. */
final class ScheduleApiModels {
    private ScheduleApiModels() {
    }

    /** Body of {@code GET /api/schedules}: every schedule this instance defines. */
    record Schedules(List<ScheduleResponse> schedules) {
    }

    /** Body of {@code GET /api/schedules/{name}/runs}: newest slot first. */
    record Runs(List<ScheduleResponse.Run> runs) {
    }
}
