package io.switchboard.server.jobs;

import io.switchboard.jobs.EnqueueResult;
import io.switchboard.jobs.JobQueue;
import io.switchboard.server.jobs.JobApiModels.Cancelled;
import io.switchboard.server.jobs.JobApiModels.DeadJobs;
import io.switchboard.server.jobs.JobApiModels.Kinds;
import io.switchboard.server.jobs.JobApiModels.ReplayDeadRequest;
import io.switchboard.server.jobs.JobApiModels.Replayed;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.util.Locale;

/** Enqueue, inspect, cancel and replay jobs. */
@RestController
@RequestMapping("/api/jobs")
class JobController {
    static final int MAX_DEAD_LISTED = 1000;
    static final int DEFAULT_DEAD_REPLAYED = 1000;

    private final JobQueue jobs;
    private final JsonMapper json;

    JobController(JobQueue jobs, JsonMapper json) {
        this.jobs = jobs;
        this.json = json;
    }

    /** 201 with the new job, or 200 with the unfinished job that already holds the unique key. */
    @PostMapping
    ResponseEntity<JobResponse> enqueue(@RequestBody EnqueueJobRequest request) {
        EnqueueResult result;
        try {
            result = jobs.enqueue(request.toJobRequest(json));
        } catch (IllegalArgumentException e) {
            // The core reports arguments that do not fit the kind's type as an IllegalArgumentException caused by Jackson.
            throw e.getCause() instanceof JacksonException ? new InvalidJobArgumentsException(e.getMessage(), e) : e;
        }
        JobResponse job = JobResponse.of(jobs.get(result.id()), json);
        if (result.duplicate()) {
            return ResponseEntity.ok(job);
        }
        return ResponseEntity.created(URI.create("/api/jobs/" + result.id())).body(job);
    }

    @GetMapping("/{id}")
    JobResponse get(@PathVariable long id) {
        return JobResponse.of(jobs.get(id), json);
    }

    @GetMapping("/kinds")
    Kinds kinds() {
        return new Kinds(jobs.kinds());
    }

    @GetMapping("/dead")
    DeadJobs dead(@RequestParam(required = false) String queue, @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > MAX_DEAD_LISTED) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_DEAD_LISTED + ", was " + limit);
        }
        return new DeadJobs(jobs.listDead(blankToNull(queue), limit).stream().map(job -> JobResponse.of(job, json)).toList());
    }

    @PostMapping("/{id}/replay")
    JobResponse replay(@PathVariable long id) {
        try {
            return JobResponse.of(jobs.replay(id), json);
        } catch (IllegalStateException e) {
            throw new JobNotReplayableException(e.getMessage(), e);
        }
    }

    @PostMapping("/dead/replay")
    Replayed replayDead(@RequestBody(required = false) ReplayDeadRequest request) {
        ReplayDeadRequest filter = request == null ? ReplayDeadRequest.ALL : request;
        int limit = filter.limit() == null ? DEFAULT_DEAD_REPLAYED : filter.limit();
        return new Replayed(jobs.replayDead(blankToNull(filter.queue()), blankToNull(filter.kind()), limit));
    }

    @PostMapping("/{id}/cancel")
    Cancelled cancel(@PathVariable long id) {
        return new Cancelled(jobs.cancel(id).name().toLowerCase(Locale.ROOT));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
