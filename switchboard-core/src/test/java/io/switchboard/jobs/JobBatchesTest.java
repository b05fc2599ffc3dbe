package io.switchboard.jobs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How claimed jobs of a batched kind are shared out to runs, and what the queue is told when a run ends. */
class JobBatchesTest {
    private static BatchJobHandler<?> handler(int maxJobs, int runs) {
        return new BatchJobHandlerTest.Recording(maxJobs, runs, (jobs, context) -> { });
    }

    private static List<RunningJob> jobs(int n) {
        List<RunningJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(new RunningJob(i, "k", "q", 1, 3, "{}", false, 0, "w", null));
        }
        return jobs;
    }

    @Test
    void jobsClaimedWhileTheRunIsBusyGoTogetherToTheNextRunUpToItsSize() {
        List<Integer> started = new ArrayList<>();
        JobBatches batches = new JobBatches(handler(4, 1), run -> started.add(run.size()), claimNow -> { });

        batches.add(jobs(1));
        batches.add(jobs(3));
        batches.add(jobs(3));
        assertThat(started).containsExactly(1);
        assertThat(batches.hasFreeRun()).isFalse();

        batches.runEnded(1);
        assertThat(started).containsExactly(1, 4);
        batches.runEnded(4);
        assertThat(started).containsExactly(1, 4, 2);
        batches.runEnded(2);
        assertThat(batches.hasFreeRun()).isTrue();
    }

    @Test
    void theQueueClaimsAtOnceAfterABusyRunAndWaitsForAWakeUpAfterALoneJob() {
        List<Boolean> told = new ArrayList<>();
        JobBatches batches = new JobBatches(handler(10, 1), run -> { }, told::add);

        batches.add(jobs(1));
        batches.runEnded(1);
        batches.add(jobs(5));
        batches.runEnded(5);

        // After a lone job the wake-ups are current; after several, those of the jobs committed meanwhile may lag.
        assertThat(told).containsExactly(false, true);
    }

    @Test
    void aRunEndingWithJobsWaitingStartsTheNextInsteadOfTellingTheQueue() {
        List<Boolean> told = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        JobBatches batches = new JobBatches(handler(10, 1), run -> started.add(run.size()), told::add);

        batches.add(jobs(2));
        batches.add(jobs(3));
        batches.runEnded(2);

        assertThat(started).containsExactly(2, 3);
        assertThat(told).isEmpty();
    }
}
