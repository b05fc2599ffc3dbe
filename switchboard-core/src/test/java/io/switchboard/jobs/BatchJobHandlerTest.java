package io.switchboard.jobs;

import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.switchboard.jobs.JobTesting.PAYLOAD;
import static io.switchboard.jobs.JobTesting.Payload;
import static io.switchboard.jobs.JobTesting.await;
import static io.switchboard.jobs.JobTesting.count;
import static io.switchboard.jobs.JobTesting.execute;
import static io.switchboard.jobs.JobTesting.fastEngine;
import static org.assertj.core.api.Assertions.assertThat;

/** Jobs of a {@link BatchJobHandler}'s kind run several at a time, on real PostgreSQL. */
class BatchJobHandlerTest extends EngineTestBase {
    /** The handler under test: its runs' sizes, and what each run does. */
    static final class Recording implements BatchJobHandler<Payload> {
        private final int maxJobs;
        private final int runs;
        private final RunBody body;
        final List<List<Long>> runsSeen = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        Recording(int maxJobs, int runs, RunBody body) {
            this.maxJobs = maxJobs;
            this.runs = runs;
            this.body = body;
        }

        @Override
        public void handleBatch(List<BatchedJob<Payload>> jobs, BatchContext context) throws Exception {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            runsSeen.add(jobs.stream().map(BatchedJob::id).toList());
            try {
                body.run(jobs, context);
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public int maxJobsPerRun() {
            return maxJobs;
        }

        @Override
        public int concurrentRuns() {
            return runs;
        }
    }

    @FunctionalInterface
    interface RunBody {
        void run(List<BatchedJob<Payload>> jobs, BatchContext context) throws Exception;
    }

    private JobEngine started(BatchJobHandler<Payload> handler, RetryPolicy retry) {
        // The queue's concurrency bounds the jobs held, so it is above the runs' sizes here.
        return started(fastEngine(ds).queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withConcurrency(100))
                .handler(PAYLOAD, KindOptions.defaults().withRetry(retry), handler));
    }

    /** Records one effect row per job of the run, in the run's completion transaction. */
    private static void recordEffects(List<BatchedJob<Payload>> jobs, BatchContext context) throws Exception {
        context.completeInTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO effects VALUES (?, ?)")) {
                for (BatchedJob<Payload> job : jobs) {
                    ps.setLong(1, job.id());
                    ps.setString(2, job.args().text());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static List<Long> ids() {
        List<Long> ids = new ArrayList<>();
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("SELECT id FROM switchboard.jobs ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return ids;
    }

    private static List<JobRequest> requests(int n, String text) {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(JobRequest.of(PAYLOAD, new Payload(text, i)));
        }
        return requests;
    }

    @Test
    void jobsThatBecomeReadyWhileARunIsBusyRunTogetherInTheNextRuns() throws Exception {
        CountDownLatch firstRunStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstRun = new CountDownLatch(1);
        Recording handler = new Recording(10, 1, (jobs, context) -> {
            firstRunStarted.countDown();
            releaseFirstRun.await(10, TimeUnit.SECONDS);
            recordEffects(jobs, context);
        });
        JobEngine engine = started(handler, RetryPolicy.DEFAULT);

        long first = engine.queue().enqueue(PAYLOAD, new Payload("first", 0)).id();
        assertThat(firstRunStarted.await(10, TimeUnit.SECONDS)).isTrue();
        engine.queue().enqueueAll(requests(25, "later"));
        Thread.sleep(300);
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'available'"))
                .as("nothing is claimed while the only run is busy").isEqualTo(25);
        releaseFirstRun.countDown();

        await("all completed", Duration.ofSeconds(20),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == 26);
        assertThat(handler.runsSeen.getFirst()).containsExactly(first);
        assertThat(handler.runsSeen.subList(1, handler.runsSeen.size())).extracting(List::size)
                .as("the 25 waiting jobs in runs of at most 10").containsExactly(10, 10, 5);
        assertThat(handler.mostAtOnce.get()).isEqualTo(1);
        assertThat(count(ds, "SELECT count(*) FROM effects")).isEqualTo(26);
        assertThat(count(ds, "SELECT count(DISTINCT job_id) FROM effects")).isEqualTo(26);
    }

    @Test
    void concurrentRunsNeverExceedTheHandlersLimit() {
        Recording handler = new Recording(3, 2, (jobs, context) -> {
            Thread.sleep(30);
            recordEffects(jobs, context);
        });
        JobEngine engine = started(handler, RetryPolicy.DEFAULT);

        engine.queue().enqueueAll(requests(40, "x"));

        await("all completed", Duration.ofSeconds(20),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == 40);
        assertThat(handler.mostAtOnce.get()).isEqualTo(2);
        assertThat(handler.runsSeen).allSatisfy(run -> assertThat(run.size()).isBetween(1, 3));
        assertThat(handler.runsSeen.stream().mapToInt(List::size).sum()).isEqualTo(40);
        assertThat(count(ds, "SELECT count(*) FROM effects")).isEqualTo(40);
    }

    @Test
    void aRunThatThrowsRollsBackItsWritesAndFailsEachJobOnItsOwnRetries() {
        RetryPolicy retry = RetryPolicy.maxAttempts(2).withBackoff(Duration.ofMillis(20), 1).withJitter(0);
        Recording handler = new Recording(10, 1, (jobs, context) -> context.completeInTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO effects VALUES (0, 'undone')")) {
                ps.execute();
            }
            throw new IllegalStateException("run of " + jobs.size() + " failed");
        }));
        JobEngine engine = started(handler, retry);

        engine.queue().enqueueAll(requests(3, "x"));
        List<Long> ids = ids();

        await("all dead", Duration.ofSeconds(20),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'dead'") == 3);
        for (long id : ids) {
            Job job = engine.queue().get(id);
            assertThat(job.attempt()).isEqualTo(2);
            assertThat(job.errors()).extracting(AttemptError::attempt).containsExactly(1, 2);
            assertThat(job.errors()).allSatisfy(e -> assertThat(e.error()).contains("IllegalStateException: run of"));
        }
        assertThat(count(ds, "SELECT count(*) FROM effects")).isZero();
    }

    @Test
    void aRunWithAJobTakenOverElsewhereCommitsNothingAndItsOtherJobsRunAgain() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger leaseLost = new AtomicInteger();
        CountDownLatch allEnqueued = new CountDownLatch(1);
        Recording handler = new Recording(10, 1, (jobs, context) -> {
            allEnqueued.await(10, TimeUnit.SECONDS);
            if (runs.incrementAndGet() == 1) {
                // Another instance took the first job over (as after a rescue) while this run was under way.
                execute(ds, "UPDATE switchboard.jobs SET worker_id = 'someone-else' WHERE id = " + jobs.getFirst().id());
                try {
                    recordEffects(jobs, context);
                } catch (LeaseLostException e) {
                    leaseLost.incrementAndGet();
                    throw e;
                }
                return;
            }
            recordEffects(jobs, context);
        });
        RetryPolicy retry = RetryPolicy.maxAttempts(3).withBackoff(Duration.ofMillis(20), 1).withJitter(0);
        JobEngine engine = started(handler, retry);

        engine.queue().enqueueAll(requests(3, "x"));
        List<Long> ids = ids();
        allEnqueued.countDown();

        await("the others completed on a later run", Duration.ofSeconds(20),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == 2);
        assertThat(leaseLost.get()).isEqualTo(1);
        long takenOver = handler.runsSeen.getFirst().getFirst();
        assertThat(engine.queue().get(takenOver).state()).as("left to its new owner").isEqualTo(JobState.RUNNING);
        assertThat(count(ds, "SELECT count(*) FROM effects WHERE job_id = " + takenOver)).isZero();
        assertThat(count(ds, "SELECT count(*) FROM effects")).isEqualTo(2);
        assertThat(ids).contains(takenOver);
    }

    @Test
    void aRunThatReturnsWithoutCompletingInItsTransactionStillCompletesItsJobs() {
        Recording handler = new Recording(10, 1, (jobs, context) -> {
        });
        JobEngine engine = started(handler, RetryPolicy.DEFAULT);

        engine.queue().enqueueAll(requests(5, "x"));

        await("all completed", Duration.ofSeconds(20),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == 5);
    }
}
