package io.switchboard.server.jobs;

import io.switchboard.jobs.QueueStats;

import java.util.List;
import java.util.Set;

/** Small request and response bodies of the job API. */
final class JobApiModels {
    private JobApiModels() {
    }

    /** Body of {@code GET /api/jobs/dead}: dead letters, most recent first. */
    record DeadJobs(List<JobResponse> jobs) {
    }

    /**
     * Body of {@code POST /api/jobs/dead/replay}; every field optional.
     *
     * @param queue only dead jobs of this queue
     * @param kind  only dead jobs of this kind
     * @param limit at most this many, oldest first (default 1000, at most 10000)
     */
    record ReplayDeadRequest(String queue, String kind, Integer limit) {
        static final ReplayDeadRequest ALL = new ReplayDeadRequest(null, null, null);
    }

    /** How many dead jobs were put back to run. */
    record Replayed(int replayed) {
    }

    /** Outcome of a cancel: {@code cancelled}, {@code cancel_requested} or {@code already_finished}. */
    record Cancelled(String result) {
    }

    /** Job kinds this instance can enqueue. */
    record Kinds(Set<String> kinds) {
    }

    /** Body of {@code GET /api/queues}. */
    record Queues(List<QueueStatsResponse> queues) {
    }

    /**
     * Counts of one queue across all instances.
     *
     * @param queue     queue name
     * @param available ready to run
     * @param scheduled waiting for their time (delayed, or backing off before a retry)
     * @param running   being run
     * @param dead      dead letters still retained
     * @param lagMs     age of the oldest available job in milliseconds
     */
    record QueueStatsResponse(String queue, long available, long scheduled, long running, long dead, long lagMs) {
        static QueueStatsResponse of(QueueStats stats) {
            return new QueueStatsResponse(stats.queue(), stats.available(), stats.scheduled(), stats.running(), stats.dead(),
                    stats.lag().toMillis());
        }
    }
}
