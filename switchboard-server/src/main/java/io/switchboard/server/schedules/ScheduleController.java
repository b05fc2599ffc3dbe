package io.switchboard.server.schedules;

import io.switchboard.schedule.Scheduler;
import io.switchboard.server.schedules.ScheduleApiModels.Runs;
import io.switchboard.server.schedules.ScheduleApiModels.Schedules;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Schedules this instance defines: state, run history, pause, resume, trigger now. */
@RestController
@RequestMapping("/api/schedules")
class ScheduleController {
    static final int MAX_RUNS_LISTED = 1000;

    private final Scheduler scheduler;

    ScheduleController(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @GetMapping
    Schedules list() {
        return new Schedules(scheduler.list().stream().map(ScheduleResponse::of).toList());
    }

    @GetMapping("/{name}")
    ScheduleResponse get(@PathVariable String name) {
        return ScheduleResponse.of(scheduler.status(require(name)));
    }

    @GetMapping("/{name}/runs")
    Runs runs(@PathVariable String name, @RequestParam(defaultValue = "50") int limit) {
        require(name);
        if (limit < 1 || limit > MAX_RUNS_LISTED) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_RUNS_LISTED + ", was " + limit);
        }
        return new Runs(scheduler.runs(name, limit).stream().map(ScheduleResponse.Run::of).toList());
    }

    /** No slot fires on any instance until resumed; a run in progress goes on. */
    @PostMapping("/{name}/pause")
    ScheduleResponse pause(@PathVariable String name) {
        scheduler.pause(require(name));
        return ScheduleResponse.of(scheduler.status(name));
    }

    /** Goes on from the next slot after now; slots that fell during the pause do not run. */
    @PostMapping("/{name}/resume")
    ScheduleResponse resume(@PathVariable String name) {
        scheduler.resume(require(name));
        return ScheduleResponse.of(scheduler.status(name));
    }

    /** 201 with the manual run (also when paused; recorded as skipped while a non-overlapping run is unfinished). */
    @PostMapping("/{name}/trigger")
    ResponseEntity<ScheduleResponse.Run> trigger(@PathVariable String name) {
        return ResponseEntity.status(HttpStatus.CREATED).body(ScheduleResponse.Run.of(scheduler.triggerNow(require(name))));
    }

    private String require(String name) {
        if (!scheduler.names().contains(name)) {
            throw new ScheduleNotFoundException(name);
        }
        return name;
    }
}
