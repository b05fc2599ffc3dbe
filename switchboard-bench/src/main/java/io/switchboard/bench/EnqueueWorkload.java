package io.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Enqueue throughput with no workers running: (a) threads each enqueueing one job per transaction for a fixed
 * time, after a short unmeasured warm-up; (b) N jobs through the bulk API in batches, one transaction each.
 * When the drain workload runs too, (b) is its pre-load and is not repeated here.
 */
final class EnqueueWorkload {
    private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final BenchContext context;
    private final BenchPostgres postgres;
    private final BenchOptions options;
    private final Results results;

    EnqueueWorkload(BenchContext context) {
        this.context = context;
        this.postgres = context.postgres();
        this.options = context.options();
        this.results = context.results();
    }

    void run(String system, int run) throws Exception {
        single(system, run);
        if (!options.runs("drain")) {
            bulk(system, run);
        }
    }

    private void single(String system, int run) throws Exception {
        try (BenchPostgres.Database database = postgres.createDatabase(system + "_enqueue", Systems.poolSize(system, options));
             QueueSystem queue = Systems.create(system, database.dataSource(), options, false)) {
            results.configuration(queue.name(), queue.configuration());
            context.awaitQuiet();
            AtomicLong sequence = new AtomicLong();
            LongAdder enqueued = new LongAdder();
            long start = System.nanoTime();
            long measureFrom = start + WARMUP_NANOS;
            long end = measureFrom + options.enqueueDuration().toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < options.enqueueThreads(); t++) {
                threads.add(Thread.ofPlatform().name("enqueuer-" + t).start(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            queue.enqueueOne(sequence.getAndIncrement());
                            enqueued.increment();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(system + " enqueue failed", e);
                    }
                }));
            }
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(measureFrom - System.nanoTime()));
            long countAtStart = enqueued.sum();
            CpuWatch.Mark mark = context.cpu().mark();
            long measuredFrom = System.nanoTime();
            for (Thread thread : threads) {
                thread.join();
            }
            double seconds = (System.nanoTime() - measuredFrom) / 1e9;
            double rate = (enqueued.sum() - countAtStart) / seconds;
            CpuWatch.Usage cpu = context.checkDisturbance(mark, run, system + " enqueue-single");
            results.add(Results.Metric.ENQUEUE_SINGLE, queue.name(), rate);
            BenchMain.log("%s enqueue one at a time: %,d jobs by %d threads in %.1f s = %,.0f jobs/s (%s)",
                    system, enqueued.sum() - countAtStart, options.enqueueThreads(), seconds, rate, cpu);
        }
    }

    private void bulk(String system, int run) throws Exception {
        int jobs = options.jobs();
        try (BenchPostgres.Database database = postgres.createDatabase(system + "_bulk", Systems.poolSize(system, options));
             QueueSystem queue = Systems.create(system, database.dataSource(), options, false)) {
            context.awaitQuiet();
            CpuWatch.Mark mark = context.cpu().mark();
            long start = System.nanoTime();
            for (int first = 0; first < jobs; first += options.batch()) {
                queue.enqueueBatch(first, Math.min(options.batch(), jobs - first));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            CpuWatch.Usage cpu = context.checkDisturbance(mark, run, system + " enqueue-bulk");
            results.add(Results.Metric.ENQUEUE_BULK, queue.name(), jobs / seconds);
            BenchMain.log("%s enqueue bulk: %,d jobs in batches of %,d in %.2f s = %,.0f jobs/s (%s)",
                    system, jobs, options.batch(), seconds, jobs / seconds, cpu);
        }
    }
}
