package io.switchboard.jobs;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.switchboard.jobs.JobTesting.PAYLOAD;
import static io.switchboard.jobs.JobTesting.Payload;
import static io.switchboard.jobs.JobTesting.await;
import static io.switchboard.jobs.JobTesting.count;
import static io.switchboard.jobs.JobTesting.execute;
import static io.switchboard.jobs.JobTesting.fastEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobQueueTest extends EngineTestBase {
    private JobEngine producerOnly() {
        return kept(fastEngine(ds).declare(PAYLOAD));
    }

    @Test
    void enqueuedJobRunsOnceAndCompletes() {
        List<Payload> seen = new CopyOnWriteArrayList<>();
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> seen.add(args)));

        EnqueueResult result = engine.queue().enqueue(PAYLOAD, new Payload("hello", 1));

        assertThat(result.duplicate()).isFalse();
        assertThat(result.state()).isEqualTo(JobState.AVAILABLE);
        await("job completed", Duration.ofSeconds(10), () -> engine.queue().get(result.id()).state() == JobState.COMPLETED);
        assertThat(seen).containsExactly(new Payload("hello", 1));
        Job job = engine.queue().get(result.id());
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.finishedAt()).isAfterOrEqualTo(job.createdAt());
        assertThat(job.workerId()).isEqualTo(engine.instanceId());
    }

    @Test
    void anotherInstanceIsWokenByNotifyNotByPolling() {
        CountDownLatch ran = new CountDownLatch(2);
        started(fastEngine(ds).queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withPollInterval(Duration.ofMinutes(5)))
                .handler(PAYLOAD, (args, ctx) -> ran.countDown()));
        sleep(500); // the worker's first poll is behind it: from now on only a NOTIFY wakes it
        JobEngine producer = producerOnly();
        producer.queue().enqueue(PAYLOAD, new Payload("own transaction", 1));
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            producer.queue().enqueue(c, JobRequest.of(PAYLOAD, new Payload("caller's transaction", 2)));
            c.commit();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        try {
            assertThat(ran.await(20, TimeUnit.SECONDS)).as("both started long before the 5-minute poll").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jobEnqueuedInARolledBackTransactionDoesNotExist() throws Exception {
        JobEngine engine = producerOnly();
        long id;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            id = engine.queue().enqueue(c, JobRequest.of(PAYLOAD, new Payload("never", 0))).id();
            assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).as("invisible before commit").isZero();
            c.rollback();
        }
        assertThat(engine.queue().find(id)).isEmpty();
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isZero();
    }

    @Test
    void jobEnqueuedInACommittedTransactionRunsWithTheCallersWrites() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> ran.countDown()));
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO effects VALUES (0, 'order placed')")) {
                ps.execute();
            }
            engine.queue().enqueue(c, JobRequest.of(PAYLOAD, new Payload("send receipt", 1)));
            assertThat(ran.await(300, TimeUnit.MILLISECONDS)).as("does not run before commit").isFalse();
            c.commit();
        }
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The caller's statement: the embedded job and an effect naming it, then the effect's note (a parameter after the job's). */
    private static final String EMBEDDING = "WITH job AS (" + EmbeddedJob.SQL + ") INSERT INTO effects (job_id, note) SELECT id, ? FROM job";

    @Test
    void aJobEmbeddedInTheCallersStatementIsWrittenWithItsRowsAndWakesItsQueue() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch ran = new CountDownLatch(1);
        // Slow polling: only the NOTIFY the embedded insert sends makes the job run within the test's wait.
        JobEngine engine = started(fastEngine(ds).meterRegistry(registry)
                .queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withPollInterval(Duration.ofMinutes(5)))
                .handler(PAYLOAD, (args, ctx) -> ran.countDown()));
        sleep(300); // the runner's first look at start-up is over
        EmbeddedJob job = engine.queue().embed(JobRequest.of(PAYLOAD, new Payload("embedded", 7)));
        assertThat(job.queue()).isEqualTo(QueueOptions.DEFAULT_QUEUE);
        assertThat(job.kind()).isEqualTo(PAYLOAD.name());
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(EMBEDDING)) {
            assertThat(c.getAutoCommit()).isTrue(); // the statement is its own transaction
            int next = job.bind(ps, 1);
            assertThat(next).isEqualTo(1 + EmbeddedJob.PARAMETERS);
            ps.setString(next, "with its job");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        job.inserted();
        assertThat(ran.await(10, TimeUnit.SECONDS)).as("woken by the NOTIFY, long before the 5-minute poll").isTrue();
        assertThat(count(ds, "SELECT count(*) FROM effects e JOIN switchboard.jobs j ON j.id = e.job_id "
                + "WHERE e.note = 'with its job' AND j.kind = 'payload' AND j.args = '{\"text\":\"embedded\",\"n\":7}'")).isEqualTo(1);
        assertThat(counter(registry, "switchboard.jobs.enqueued")).isEqualTo(1);
    }

    @Test
    void anEmbeddedJobWhoseStatementFailsDoesNotExist() throws Exception {
        JobEngine engine = producerOnly();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("WITH job AS (" + EmbeddedJob.SQL + ") INSERT INTO effects (job_id, note) "
                     + "SELECT id, (1 / 0)::text FROM job")) {
            engine.queue().embed(JobRequest.of(PAYLOAD, new Payload("never", 0))).bind(ps, 1);
            assertThatThrownBy(ps::executeUpdate).isInstanceOf(java.sql.SQLException.class).hasMessageContaining("division by zero");
        }
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM effects")).isZero();
    }

    @Test
    void embeddingChecksTheRequestLikeEnqueueingDoes() {
        JobEngine engine = producerOnly();
        assertThatThrownBy(() -> engine.queue().embed(JobRequest.of(JobKind.of("nobody-knows", Payload.class), new Payload("x", 1))))
                .isInstanceOf(UnknownJobKindException.class);
        assertThatThrownBy(() -> engine.queue().embed(JobRequest.ofJson("payload", "{\"n\":\"not a number\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid for job kind 'payload'");
    }

    @Test
    void anEmbeddedJobWhoseUniqueKeyIsHeldInsertsNothingAndReturnsNoRow() throws Exception {
        JobEngine engine = producerOnly();
        long held = engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("first", 1)).uniqueKey("order-9")).id();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(EMBEDDING)) {
            int next = engine.queue().embed(JobRequest.of(PAYLOAD, new Payload("second", 2)).uniqueKey("order-9")).bind(ps, 1);
            ps.setString(next, "no job");
            assertThat(ps.executeUpdate()).isZero();
        }
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isEqualTo(1);
        assertThat(engine.queue().get(held).state()).isEqualTo(JobState.AVAILABLE);
    }

    @Test
    void anEnqueueJoiningAManagedTransactionWakesWorkersThroughTheAfterCommitHookNotANotify() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        List<Runnable> afterCommit = new CopyOnWriteArrayList<>();
        // Slow polling: only a wake-up makes the job run within the test's wait.
        JobEngine engine = started(fastEngine(ds)
                .queue(QueueOptions.defaults("default").withPollInterval(Duration.ofMinutes(5)))
                .afterCommit((connection, action) -> afterCommit.add(action))
                .handler(PAYLOAD, (args, ctx) -> ran.countDown()));
        sleep(300); // the runner's first look at start-up is over: from now on only a wake-up makes it claim
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            engine.queue().enqueue(c, JobRequest.of(PAYLOAD, new Payload("joined", 1)));
            assertThat(afterCommit).as("the wake-up waits for the commit").hasSize(1);
            c.commit();
        }
        assertThat(ran.await(500, TimeUnit.MILLISECONDS)).as("no NOTIFY was sent, and nothing woke the worker yet").isFalse();
        afterCommit.forEach(Runnable::run);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void failingJobIsRetriedWithBackoffThenDeadLetteredWithEveryError() {
        AtomicInteger attempts = new AtomicInteger();
        RetryPolicy retry = RetryPolicy.maxAttempts(3).withBackoff(Duration.ofMillis(50), 2).withJitter(0);
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, KindOptions.defaults().withRetry(retry), (args, ctx) -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("boom " + ctx.attempt());
        }));

        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();

        await("dead", Duration.ofSeconds(10), () -> engine.queue().get(id).state() == JobState.DEAD);
        Job job = engine.queue().get(id);
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(job.attempt()).isEqualTo(3);
        assertThat(job.errors()).extracting(AttemptError::attempt).containsExactly(1, 2, 3);
        assertThat(job.errors()).allSatisfy(e -> assertThat(e.error()).contains("IllegalStateException"));
        assertThat(job.errors().get(2).error()).contains("boom 3");
        // Backoff: the second failure comes at least 50 ms (no jitter) after the first, the third 100 ms after.
        assertThat(Duration.between(job.errors().get(0).at(), job.errors().get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(Duration.between(job.errors().get(1).at(), job.errors().get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(engine.queue().listDead(null, 10)).extracting(Job::id).containsExactly(id);
    }

    @Test
    void permanentFailureIsDeadLetteredWithoutRetry() {
        AtomicInteger attempts = new AtomicInteger();
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> {
            attempts.incrementAndGet();
            throw new PermanentJobFailure("card declined");
        }));
        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();
        await("dead", Duration.ofSeconds(10), () -> engine.queue().get(id).state() == JobState.DEAD);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(engine.queue().get(id).errors().getFirst().error()).contains("card declined");
    }

    @Test
    void deadJobsCanBeReplayedOneByOneAndInBulk() {
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<Integer, Boolean> healthy = new ConcurrentHashMap<>();
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, KindOptions.defaults().withRetry(RetryPolicy.maxAttempts(1)),
                (args, ctx) -> {
                    runs.computeIfAbsent(args.n(), n -> new AtomicInteger()).incrementAndGet();
                    if (!healthy.getOrDefault(args.n(), false)) {
                        throw new IllegalStateException("downstream unavailable");
                    }
                }));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(engine.queue().enqueue(PAYLOAD, new Payload("x", i)).id());
        }
        await("all dead", Duration.ofSeconds(10), () -> engine.queue().listDead(null, 100).size() == 5);

        for (int i = 0; i < 5; i++) {
            healthy.put(i, true);
        }
        Job replayed = engine.queue().replay(ids.get(0));
        assertThat(replayed.attempt()).isZero();
        await("replayed one completed", Duration.ofSeconds(10), () -> engine.queue().get(ids.get(0)).state() == JobState.COMPLETED);
        assertThat(engine.queue().get(ids.get(0)).errors()).as("history kept").hasSize(1);

        assertThat(engine.queue().replayDead(QueueOptions.DEFAULT_QUEUE, PAYLOAD.name(), 100)).isEqualTo(4);
        await("all completed", Duration.ofSeconds(10),
                () -> ids.stream().allMatch(id -> engine.queue().get(id).state() == JobState.COMPLETED));
        assertThat(runs.values()).allSatisfy(r -> assertThat(r.get()).isEqualTo(2));
    }

    @Test
    void replayOfAJobThatIsNotDeadIsRefusedAndChangesNothing() {
        JobEngine engine = producerOnly();
        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();
        assertThatThrownBy(() -> engine.queue().replay(id))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("available");
        assertThatThrownBy(() -> engine.queue().replay(123456789L)).isInstanceOf(JobNotFoundException.class);
        assertThat(engine.queue().get(id).state()).isEqualTo(JobState.AVAILABLE);
    }

    @Test
    void uniqueJobUnderAConcurrentRaceIsEnqueuedOnce() throws Exception {
        JobEngine engine = producerOnly();
        int racers = 16;
        CyclicBarrier start = new CyclicBarrier(racers);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Future<EnqueueResult>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("sync", 1)).uniqueKey("customer-42"));
            }));
        }
        List<EnqueueResult> outcomes = new ArrayList<>();
        for (Future<EnqueueResult> f : results) {
            outcomes.add(f.get(10, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(outcomes).extracting(EnqueueResult::id).containsOnly(outcomes.getFirst().id());
        assertThat(outcomes).filteredOn(r -> !r.duplicate()).hasSize(1);
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs WHERE unique_key = 'customer-42'")).isEqualTo(1);
    }

    @Test
    void uniqueKeyIsFreeAgainOnceTheJobFinishes() {
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> { }));
        JobRequest request = JobRequest.of(PAYLOAD, new Payload("sync", 1)).uniqueKey("k").onDuplicate(JobRequest.OnDuplicate.REJECT);
        long first = engine.queue().enqueue(request).id();
        await("first done", Duration.ofSeconds(10), () -> engine.queue().get(first).state() == JobState.COMPLETED);
        long second = engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("sync", 2)).uniqueKey("k")).id();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void duplicateWithRejectPolicyThrowsAndNamesTheExistingJob() {
        JobEngine engine = producerOnly();
        long first = engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("a", 1)).uniqueKey("k")).id();
        assertThatThrownBy(() -> engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("b", 2)).uniqueKey("k")
                .onDuplicate(JobRequest.OnDuplicate.REJECT)))
                .isInstanceOfSatisfying(DuplicateJobException.class, e -> assertThat(e.existingJobId()).isEqualTo(first));
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isEqualTo(1);
    }

    @Test
    void jobCancelledBeforeItStartsNeverRuns() {
        JobEngine producer = producerOnly();
        long id = producer.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("x", 1)).delay(Duration.ofMillis(300))).id();
        assertThat(producer.queue().cancel(id)).isEqualTo(CancelResult.CANCELLED);
        AtomicInteger runs = new AtomicInteger();
        started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> runs.incrementAndGet()));
        await("delay passed", Duration.ofSeconds(5), () -> true);
        sleep(600);
        assertThat(runs.get()).isZero();
        assertThat(producer.queue().get(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(producer.queue().cancel(id)).isEqualTo(CancelResult.ALREADY_FINISHED);
    }

    @Test
    void runningJobSeesItsCancellationAndEndsCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> {
            started.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ctx.isCancellationRequested() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }));
        long id = engine.queue().enqueue(PAYLOAD, new Payload("long", 1)).id();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        assertThat(engine.queue().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
        await("cancelled", Duration.ofSeconds(10), () -> engine.queue().get(id).state() == JobState.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("seen through NOTIFY, well before the 20 s loop ends")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void handlerWritesAndCompletionCommitTogether() {
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> ctx.completeInTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO effects VALUES (?, ?)")) {
                ps.setLong(1, ctx.jobId());
                ps.setString(2, args.text());
                ps.execute();
            }
            return null;
        })));
        long id = engine.queue().enqueue(PAYLOAD, new Payload("charged", 1)).id();
        await("completed", Duration.ofSeconds(10), () -> engine.queue().get(id).state() == JobState.COMPLETED);
        assertThat(count(ds, "SELECT count(*) FROM effects WHERE job_id = " + id)).isEqualTo(1);
    }

    @Test
    void handlerWritesRollBackWhenTheAttemptLostItsJob() {
        AtomicInteger leaseLost = new AtomicInteger();
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, KindOptions.defaults().withRetry(RetryPolicy.maxAttempts(1)),
                (args, ctx) -> {
                    // Another instance took the job over (as after a rescue) while this attempt ran.
                    execute(ds, "UPDATE switchboard.jobs SET worker_id = 'someone-else' WHERE id = " + ctx.jobId());
                    try {
                        ctx.completeInTransaction(c -> {
                            try (PreparedStatement ps = c.prepareStatement("INSERT INTO effects VALUES (?, 'stale')")) {
                                ps.setLong(1, ctx.jobId());
                                ps.execute();
                            }
                            return null;
                        });
                    } catch (LeaseLostException e) {
                        leaseLost.incrementAndGet();
                        throw e;
                    }
                }));
        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();
        await("handler ran", Duration.ofSeconds(10), () -> leaseLost.get() == 1);
        sleep(200);
        assertThat(count(ds, "SELECT count(*) FROM effects")).isZero();
        assertThat(engine.queue().get(id).state()).as("left to its new owner").isEqualTo(JobState.RUNNING);
    }

    @Test
    void delayedJobWaitsForItsTimeOnTheDatabaseClock() {
        List<Instant> ranAt = new CopyOnWriteArrayList<>();
        JobEngine engine = started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> ranAt.add(Instant.now())));
        Instant enqueued = Instant.now();
        EnqueueResult result = engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("later", 1)).delay(Duration.ofMillis(700)));
        assertThat(result.state()).isEqualTo(JobState.SCHEDULED);
        await("ran", Duration.ofSeconds(10), () -> !ranAt.isEmpty());
        assertThat(Duration.between(enqueued, ranAt.getFirst())).isGreaterThanOrEqualTo(Duration.ofMillis(650));
        Job job = engine.queue().get(result.id());
        assertThat(Duration.between(job.createdAt(), job.runAt()).toMillis()).isBetween(690L, 710L);
    }

    @Test
    void jobWithRunAtInThePastRunsNow() {
        JobEngine engine = producerOnly();
        EnqueueResult result = engine.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("x", 1)).runAt(Instant.now().minusSeconds(3600)));
        assertThat(result.state()).isEqualTo(JobState.AVAILABLE);
    }

    @Test
    void higherPriorityRunsFirst() {
        JobEngine producer = producerOnly();
        for (int i = 0; i < 5; i++) {
            producer.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("low", i)).priority(-1));
        }
        producer.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("urgent", 99)).priority(10));
        List<Integer> order = new CopyOnWriteArrayList<>();
        started(fastEngine(ds).queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withConcurrency(1))
                .handler(PAYLOAD, (args, ctx) -> order.add(args.n())));
        await("all ran", Duration.ofSeconds(10), () -> order.size() == 6);
        assertThat(order.getFirst()).isEqualTo(99);
        assertThat(order.subList(1, 6)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void bulkEnqueueStoresEveryArgumentExactly() {
        JobEngine producer = producerOnly();
        List<JobRequest> requests = new ArrayList<>();
        String tricky = "tab\there, newline\nthere, backslash \\ quote \" unicode \u00e9\u4e2d\uD83D\uDE00 \\N";
        for (int i = 0; i < 2_000; i++) {
            requests.add(JobRequest.of(PAYLOAD, new Payload(tricky + i, i)));
        }
        assertThat(producer.queue().enqueueAll(requests)).isEqualTo(2_000);

        Map<Integer, String> seen = new ConcurrentHashMap<>();
        started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> seen.put(args.n(), args.text())));
        await("all ran", Duration.ofSeconds(30), () -> seen.size() == 2_000);
        for (int i = 0; i < 2_000; i++) {
            assertThat(seen.get(i)).isEqualTo(tricky + i);
        }
    }

    @Test
    void bulkEnqueueWithUniqueKeysSkipsTakenKeys() {
        JobEngine producer = producerOnly();
        producer.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("x", 0)).uniqueKey("k1"));
        int inserted = producer.queue().enqueueAll(List.of(
                JobRequest.of(PAYLOAD, new Payload("x", 1)).uniqueKey("k1"),
                JobRequest.of(PAYLOAD, new Payload("x", 2)).uniqueKey("k2"),
                JobRequest.of(PAYLOAD, new Payload("x", 3)).delay(Duration.ofMinutes(5))));
        assertThat(inserted).isEqualTo(2);
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'scheduled'")).isEqualTo(1);
    }

    @Test
    void bulkEnqueueInARolledBackTransactionLeavesNoJob() throws Exception {
        JobEngine producer = producerOnly();
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            requests.add(JobRequest.of(PAYLOAD, new Payload("x", i)));
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            assertThat(producer.queue().enqueueAll(c, requests)).isEqualTo(500);
            c.rollback();
        }
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isZero();
    }

    @Test
    void concurrencyLimitOfAQueueIsNeverExceeded() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        JobEngine engine = started(fastEngine(ds).queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withConcurrency(3))
                .handler(PAYLOAD, (args, ctx) -> {
                    maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(20);
                    running.decrementAndGet();
                    done.incrementAndGet();
                }));
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            requests.add(JobRequest.of(PAYLOAD, new Payload("x", i)));
        }
        engine.queue().enqueueAll(requests);
        await("all done", Duration.ofSeconds(20), () -> done.get() == 60);
        assertThat(maxSeen.get()).isEqualTo(3);
    }

    @Test
    void workerOnlyClaimsKindsItCanRun() {
        JobKind<Payload> other = JobKind.of("other-kind", Payload.class);
        JobEngine producer = kept(fastEngine(ds).declare(other).declare(PAYLOAD));
        long foreign = producer.queue().enqueue(other, new Payload("x", 1)).id();
        long mine = producer.queue().enqueue(PAYLOAD, new Payload("y", 2)).id();
        started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> { }));
        await("mine done", Duration.ofSeconds(10), () -> producer.queue().get(mine).state() == JobState.COMPLETED);
        assertThat(producer.queue().get(foreign).state()).isEqualTo(JobState.AVAILABLE);
    }

    @Test
    void gracefulShutdownLetsRunningJobsFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        JobEngine engine = fastEngine(ds).handler(PAYLOAD, (args, ctx) -> {
            started.countDown();
            Thread.sleep(500);
        }).build();
        engine.start();
        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        engine.stop(Duration.ofSeconds(5));
        assertThat(engine.queue().get(id).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void gracefulShutdownReleasesJobsStillRunningAfterTheTimeout() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger sawShutdown = new AtomicInteger();
        JobEngine engine = fastEngine(ds).handler(PAYLOAD, (args, ctx) -> {
            started.countDown();
            while (!ctx.isCancellationRequested()) {
                Thread.sleep(10);
            }
            sawShutdown.incrementAndGet();
        }).build();
        engine.start();
        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        engine.stop(Duration.ofMillis(200));
        Job job = engine.queue().get(id);
        assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
        assertThat(job.attempt()).as("the interrupted attempt does not count").isZero();
        await("handler saw the shutdown", Duration.ofSeconds(5), () -> sawShutdown.get() == 1);

        AtomicInteger reran = new AtomicInteger();
        started(fastEngine(ds).handler(PAYLOAD, (args, ctx) -> reran.incrementAndGet()));
        await("another instance ran it", Duration.ofSeconds(10), () -> engine.queue().get(id).state() == JobState.COMPLETED);
        assertThat(reran.get()).isEqualTo(1);
    }

    @Test
    void finishedJobsArePrunedAfterTheirRetention() {
        JobEngine engine = started(fastEngine(ds).pruneInterval(Duration.ofMillis(100))
                .retention(new Retention(Duration.ofMillis(500), Duration.ofDays(1), Duration.ofDays(1)))
                .handler(PAYLOAD, (args, ctx) -> { }));
        long id = engine.queue().enqueue(PAYLOAD, new Payload("x", 1)).id();
        await("completed", Duration.ofSeconds(10), () -> engine.queue().find(id).map(j -> j.state() == JobState.COMPLETED).orElse(false));
        assertThat(engine.queue().find(id)).as("kept as history for a while").isPresent();
        await("pruned", Duration.ofSeconds(10), () -> engine.queue().find(id).isEmpty());
    }

    @Test
    void metricsCountEnqueuedStartedCompletedFailedAndDead() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobEngine engine = started(fastEngine(ds).meterRegistry(registry)
                .handler(PAYLOAD, KindOptions.defaults().withRetry(RetryPolicy.maxAttempts(2).withBackoff(Duration.ZERO, 1)),
                        (args, ctx) -> {
                            if (args.n() < 0) {
                                throw new IllegalStateException("negative");
                            }
                        }));
        engine.queue().enqueue(PAYLOAD, new Payload("ok", 1));
        long bad = engine.queue().enqueue(PAYLOAD, new Payload("bad", -1)).id();
        await("dead", Duration.ofSeconds(10), () -> engine.queue().get(bad).state() == JobState.DEAD);
        await("completed counted", Duration.ofSeconds(5), () -> counter(registry, "switchboard.jobs.completed") == 1);
        assertThat(counter(registry, "switchboard.jobs.enqueued")).isEqualTo(2);
        assertThat(counter(registry, "switchboard.jobs.started")).isEqualTo(3);
        assertThat(counter(registry, "switchboard.jobs.failed")).isEqualTo(1);
        assertThat(counter(registry, "switchboard.jobs.dead")).isEqualTo(1);
        assertThat(registry.get("switchboard.jobs.lag").timer().count()).isEqualTo(3);
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void statsShowDepthAndLagPerQueue() {
        JobKind<Payload> email = JobKind.of("email", Payload.class);
        JobKind<Payload> report = JobKind.of("report", Payload.class);
        JobEngine producer = kept(fastEngine(ds).declare(email, KindOptions.defaults().inQueue("emails"))
                .declare(report, KindOptions.defaults().inQueue("reports")));
        producer.queue().enqueue(email, new Payload("x", 1));
        producer.queue().enqueue(email, new Payload("x", 2));
        producer.queue().enqueue(JobRequest.of(report, new Payload("x", 3)).delay(Duration.ofHours(1)));
        sleep(50);
        List<QueueStats> stats = producer.queue().stats();
        assertThat(stats).extracting(QueueStats::queue).containsExactly("emails", "reports");
        assertThat(stats.get(0).available()).isEqualTo(2);
        assertThat(stats.get(0).lag()).isGreaterThan(Duration.ZERO);
        assertThat(stats.get(1).scheduled()).isEqualTo(1);
        assertThat(stats.get(1).lag()).isEqualTo(Duration.ZERO);
    }

    @Test
    void lagsNameTheOldestAvailableJobOfEachQueueWhateverItsPriority() throws Exception {
        JobKind<Payload> email = JobKind.of("email", Payload.class);
        JobKind<Payload> report = JobKind.of("report", Payload.class);
        JobKind<Payload> urgent = JobKind.of("urgent", Payload.class);
        JobEngine producer = kept(fastEngine(ds).declare(email, KindOptions.defaults().inQueue("emails"))
                .declare(report, KindOptions.defaults().inQueue("reports"))
                .declare(urgent, KindOptions.defaults().inQueue("urgent")));
        long high = producer.queue().enqueue(JobRequest.of(email, new Payload("x", 1)).priority(5)).id();
        long low = producer.queue().enqueue(JobRequest.of(email, new Payload("x", 2)).priority(-5)).id();
        producer.queue().enqueue(JobRequest.of(email, new Payload("x", 3)));
        long soon = producer.queue().enqueue(JobRequest.of(urgent, new Payload("x", 4)).priority(100)).id();
        producer.queue().enqueue(JobRequest.of(report, new Payload("x", 5)).delay(Duration.ofHours(1)));
        // The oldest waiting email has the lowest priority: a lag read from the first job in claim order would miss it.
        setRunAt(high, "10 minutes");
        setRunAt(low, "1 hour");
        setRunAt(soon, "2 minutes");

        Map<String, Duration> lags = producer.queue().lags();

        assertThat(lags).containsOnlyKeys("emails", "urgent");
        assertThat(lags.keySet()).containsExactly("emails", "urgent");
        assertThat(lags.get("emails")).isBetween(Duration.ofMinutes(60), Duration.ofMinutes(61));
        assertThat(lags.get("urgent")).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(3));
        // The same lags as the counting statistics, which also list the queue with only a delayed job (lag zero).
        for (QueueStats queue : producer.queue().stats()) {
            assertThat(lags.getOrDefault(queue.queue(), Duration.ZERO))
                    .isBetween(queue.lag().minusSeconds(1), queue.lag().plusSeconds(1));
        }
        execute(ds, "TRUNCATE switchboard.jobs");
        assertThat(producer.queue().lags()).isEmpty();
    }

    @Test
    void lagsReadAFewIndexEntriesHoweverLongTheBacklog() throws Exception {
        JobEngine producer = producerOnly();
        List<JobRequest> backlog = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            backlog.add(JobRequest.of(PAYLOAD, new Payload("x", i)).priority(i % 3));
        }
        producer.queue().enqueueAll(backlog);
        JobKind<Payload> other = JobKind.of("other", Payload.class);
        JobEngine second = kept(fastEngine(ds).declare(other, KindOptions.defaults().inQueue("other")));
        second.queue().enqueue(other, new Payload("x", 1));
        execute(ds, "ANALYZE switchboard.jobs");

        long rowsRead;
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + JobSql.LAGS);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            rowsRead = rowsReadFromJobs(new ObjectMapper().readTree(rs.getString(1)));
        }

        assertThat(producer.queue().lags()).containsOnlyKeys(QueueOptions.DEFAULT_QUEUE, "other");
        // 4 (queue, priority) pairs present: a handful of index probes each, never the 30,001 available jobs.
        assertThat(rowsRead).isBetween(1L, 30L);
    }

    /** Rows the plan's scans of switchboard.jobs returned, over all their loops. */
    private static long rowsReadFromJobs(JsonNode node) {
        long rows = 0;
        if (node.isObject() && "jobs".equals(node.path("Relation Name").asString(""))) {
            // PostgreSQL 18 reports the rows per loop as a mean with decimals.
            rows += Math.round(node.path("Actual Rows").asDouble() * Math.max(1, node.path("Actual Loops").asLong()));
        }
        for (JsonNode child : node) {
            rows += rowsReadFromJobs(child);
        }
        return rows;
    }

    private void setRunAt(long id, String age) {
        execute(ds, "UPDATE switchboard.jobs SET run_at = now() - interval '" + age + "' WHERE id = " + id);
    }

    @Test
    void badInputIsRejectedWithAClearMessageAndStoresNothing() {
        JobEngine producer = producerOnly();
        JobKind<Payload> undeclared = JobKind.of("undeclared", Payload.class);
        assertThatThrownBy(() -> producer.queue().enqueue(undeclared, new Payload("x", 1)))
                .isInstanceOf(UnknownJobKindException.class).hasMessageContaining("undeclared");
        assertThatThrownBy(() -> JobRequest.of(PAYLOAD, new Payload("x", 1)).delay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> KindOptions.defaults().inQueue(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> KindOptions.defaults().inQueue("bad name; drop table"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may only contain");
        assertThatThrownBy(() -> JobRequest.of(PAYLOAD, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be null");
        assertThatThrownBy(() -> JobRequest.of(PAYLOAD, new Payload("x", 1)).maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> JobRequest.of(PAYLOAD, new Payload("x", 1)).priority(5000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priority");
        assertThatThrownBy(() -> producer.queue().enqueue(JobRequest.ofJson("payload", "{\"text\": ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid for job kind 'payload'");
        assertThatThrownBy(() -> producer.queue().enqueue(JobRequest.ofJson("payload", "{\"n\": \"not a number\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid");
        assertThatThrownBy(() -> producer.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("nul\u0000byte", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        // A literal backslash followed by u0000 is ordinary text, not a NUL.
        assertThat(producer.queue().enqueue(JobRequest.of(PAYLOAD, new Payload("\\u0000", 1))).id()).isPositive();
        execute(ds, "TRUNCATE switchboard.jobs");
        assertThatThrownBy(() -> QueueOptions.defaults("q").withConcurrency(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concurrency");
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isZero();
    }

    record Unserializable(Object value) {
    }

    /** Serialising it fails, as it would for a resource handle or a lazy proxy. */
    static final class Explosive {
        public String getState() {
            throw new IllegalStateException("not serialisable");
        }
    }

    @Test
    void unserializableArgumentsAreRejectedAtEnqueue() {
        JobKind<Unserializable> kind = JobKind.of("unserializable", Unserializable.class);
        JobEngine producer = kept(fastEngine(ds).declare(kind));
        assertThatThrownBy(() -> producer.queue().enqueue(kind, new Unserializable(new Explosive())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be serialized");
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isZero();
    }

    @Test
    void jsonArgumentsAreCheckedAgainstTheKindsType() {
        JobEngine producer = producerOnly();
        long id = producer.queue().enqueue(JobRequest.ofJson("payload", "{\"text\":\"hi\",\"n\":3}")).id();
        assertThat(producer.queue().get(id).argsJson()).contains("\"text\": \"hi\"").contains("\"n\": 3");
    }

    @Test
    void aKindCannotBeRegisteredTwiceWithDifferentTypes() {
        assertThatThrownBy(() -> JobEngine.builder(ds).declare(PAYLOAD).declare(JobKind.of("payload", String.class)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
