package io.switchboard.server.jobs;

import io.switchboard.jobs.JobQueue;
import io.switchboard.server.jobs.JobApiModels.QueueStatsResponse;
import io.switchboard.server.jobs.JobApiModels.Queues;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Per-queue counts and lag, across every instance sharing the database. */
@RestController
class QueueController {
    private final JobQueue jobs;

    QueueController(JobQueue jobs) {
        this.jobs = jobs;
    }

    @GetMapping("/api/queues")
    Queues queues() {
        return new Queues(jobs.stats().stream().map(QueueStatsResponse::of).toList());
    }
}
