package io.switchboard.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop steady rate with workers running: producer threads enqueue one job per transaction on a fixed
 * schedule (a slow enqueue does not slow the schedule), and each job's latency is the time from just before
 * its enqueue call to its handler starting, both read from this JVM's monotonic clock. The warm-up's jobs
 * are not counted.
 */
final class LatencyWorkload {
    private final BenchContext context;
    private final BenchPostgres postgres;
    private final BenchOptions options;
    private final Results results;

    LatencyWorkload(BenchContext context) {
        this.context = context;
        this.postgres = context.postgres();
        this.options = context.options();
        this.results = context.results();
    }

    /** Measures {@code system}, or with {@code variant} its latency variant (see {@link Systems#latencyVariant}). */
    void run(String system, boolean variant, int run) throws Exception {
        int rate = options.rate();
        int warmupJobs = (int) (rate * options.warmup().toMillis() / 1000);
        int total = warmupJobs + (int) (rate * options.duration().toMillis() / 1000);
        AtomicLongArray enqueuedAt = new AtomicLongArray(total);
        AtomicLongArray startedAt = new AtomicLongArray(total);
        AtomicLongArray enqueueNanos = new AtomicLongArray(total);
        AtomicLong duplicates = new AtomicLong();
        try (BenchPostgres.Database database = postgres.createDatabase(system + "_latency", Systems.poolSize(system, options));
             QueueSystem queue = Systems.create(system, database.dataSource(), options, variant)) {
            results.configuration(queue.name(), queue.configuration());
            queue.startWorkers(sequence -> {
                if (!startedAt.compareAndSet((int) sequence, 0, System.nanoTime())) {
                    duplicates.incrementAndGet();
                }
            });
            Thread.sleep(1000);
            context.awaitQuiet();
            CpuWatch.Mark mark = context.cpu().mark();

            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long origin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            AtomicLong worstLag = new AtomicLong();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < options.producers(); p++) {
                int offset = p;
                producers.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                    for (int i = offset; i < total; i += options.producers()) {
                        long due = origin + i * period;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        long now = System.nanoTime();
                        worstLag.accumulateAndGet(now - due, Math::max);
                        enqueuedAt.set(i, now);
                        try {
                            queue.enqueueOne(i);
                            enqueueNanos.set(i, System.nanoTime() - now);
                        } catch (Exception e) {
                            throw new IllegalStateException(system + " enqueue failed", e);
                        }
                    }
                }));
            }
            for (Thread producer : producers) {
                producer.join();
            }
            CpuWatch.Usage cpu = context.checkDisturbance(mark, run, queue.name() + " latency");
            double offered = (total - warmupJobs) / ((enqueuedAt.get(total - 1) - enqueuedAt.get(warmupJobs)) / 1e9);

            // Poll-bound peers start their last jobs up to one poll interval later.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && !allStarted(startedAt, warmupJobs, total)) {
                Thread.sleep(10);
            }
            double[] latencies = new double[total - warmupJobs];
            int measured = 0;
            for (int i = warmupJobs; i < total; i++) {
                long start = startedAt.get(i);
                if (start != 0) {
                    latencies[measured++] = (start - enqueuedAt.get(i)) / 1e6;
                }
            }
            latencies = Arrays.copyOf(latencies, measured);
            Arrays.sort(latencies);
            int missing = total - warmupJobs - measured;
            double p50 = percentile(latencies, 50);
            double p99 = percentile(latencies, 99);
            results.add(Results.Metric.LATENCY_P50, queue.name(), p50);
            results.add(Results.Metric.LATENCY_P99, queue.name(), p99);
            if (missing > 0) {
                results.note(String.format("run %d: %s latency: %,d of %,d measured jobs had not started 30 s after the "
                        + "last enqueue; percentiles are over those that did", run, queue.name(), missing, total - warmupJobs));
            }
            if (worstLag.get() > TimeUnit.MILLISECONDS.toNanos(100)) {
                results.note(String.format("run %d: %s latency: producers fell up to %,d ms behind the schedule "
                        + "(enqueue too slow for %d jobs/s with %d producers); achieved %,.0f jobs/s",
                        run, queue.name(), worstLag.get() / 1_000_000, rate, options.producers(), offered));
            }
            if (duplicates.get() > 0) {
                results.note(String.format("run %d: %s latency: %,d jobs started more than once", run, queue.name(), duplicates.get()));
            }
            double[] enqueueMillis = new double[total - warmupJobs];
            for (int i = warmupJobs; i < total; i++) {
                enqueueMillis[i - warmupJobs] = enqueueNanos.get(i) / 1e6;
            }
            Arrays.sort(enqueueMillis);
            BenchMain.log("%s latency: offered %,.0f jobs/s, enqueue-to-start p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
                            + "max %.2f ms; the enqueue call itself p50 %.2f ms, p99 %.2f ms; worst producer lag %.1f ms%s (%s)",
                    queue.name(), offered, p50, percentile(latencies, 90), p99,
                    measured == 0 ? Double.NaN : latencies[measured - 1], percentile(enqueueMillis, 50),
                    percentile(enqueueMillis, 99), worstLag.get() / 1e6, missing > 0 ? ", " + missing + " never started" : "", cpu);
        }
    }

    private static boolean allStarted(AtomicLongArray startedAt, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (startedAt.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
