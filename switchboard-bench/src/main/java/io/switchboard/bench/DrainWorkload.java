package io.switchboard.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pre-loads N no-op jobs with the system's bulk API (timed separately: that is the bulk-enqueue figure),
 * settles the database, starts the workers and times from the first job's start until the database shows
 * every job durably finished. A drain still running at the timeout reports its rate so far.
 */
final class DrainWorkload {
    private final BenchContext context;
    private final BenchPostgres postgres;
    private final BenchOptions options;
    private final Results results;

    DrainWorkload(BenchContext context) {
        this.context = context;
        this.postgres = context.postgres();
        this.options = context.options();
        this.results = context.results();
    }

    void run(String system, int run) throws Exception {
        int jobs = options.jobs();
        try (BenchPostgres.Database database = postgres.createDatabase(system + "_drain", Systems.poolSize(system, options));
             QueueSystem queue = Systems.create(system, database.dataSource(), options, false)) {
            results.configuration(queue.name(), queue.configuration());
            context.awaitQuiet();
            CpuWatch.Mark loadMark = context.cpu().mark();
            long loadStart = System.nanoTime();
            for (int first = 0; first < jobs; first += options.batch()) {
                queue.enqueueBatch(first, Math.min(options.batch(), jobs - first));
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            if (options.runs("enqueue")) {
                context.checkDisturbance(loadMark, run, system + " enqueue-bulk");
            }
            BenchMain.log("%s drain: loaded %,d jobs in %.1f s (%,.0f jobs/s)", system, jobs, loadSeconds, jobs / loadSeconds);
            if (options.runs("enqueue")) {
                results.add(Results.Metric.ENQUEUE_BULK, queue.name(), jobs / loadSeconds);
            }
            postgres.settle(database, options.analyzeAfterLoad());
            context.awaitQuiet();
            CpuWatch.Mark mark = context.cpu().mark();

            LongAdder started = new LongAdder();
            AtomicLong firstStart = new AtomicLong();
            queue.startWorkers(sequence -> {
                if (firstStart.get() == 0) {
                    firstStart.compareAndSet(0, System.nanoTime());
                }
                started.increment();
            });
            long deadline = System.nanoTime() + options.drainTimeout().toNanos();
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (started.sum() < jobs && System.nanoTime() < deadline) {
                Thread.sleep(2);
                if (System.nanoTime() > nextReport) {
                    BenchMain.log("%s drain: %,d of %,d started", system, started.sum(), jobs);
                    nextReport += TimeUnit.SECONDS.toNanos(10);
                }
            }
            // Handlers have run; the figure counts only once the database shows every completion committed.
            long unfinished = queue.unfinished();
            while (unfinished > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
                unfinished = queue.unfinished();
            }
            long end = System.nanoTime();
            CpuWatch.Usage cpu = context.checkDisturbance(mark, run, system + " drain");
            long done = jobs - unfinished;
            // No job started before the timeout: the rate is zero, not a division by a meaningless interval.
            double seconds = firstStart.get() == 0 ? Double.POSITIVE_INFINITY : (end - firstStart.get()) / 1e9;
            double rate = done / seconds;
            results.add(Results.Metric.DRAIN, queue.name(), rate);
            if (unfinished > 0) {
                results.note(String.format("run %d: %s drain hit the %d s timeout with %,d of %,d jobs durably done; "
                        + "its figure is the rate over those", run, system, options.drainTimeout().toSeconds(), done, jobs));
            }
            long again = queue.startedMoreThanOnce();
            if (started.sum() > jobs || again > 0) {
                results.note(String.format("run %d: %s drain: handlers ran %,d times for %,d jobs; the database shows %,d jobs "
                        + "claimed more than once (lease expired, job rescued and re-run)", run, system, started.sum(), jobs, Math.max(0, again)));
            }
            BenchMain.log("%s drain: %,d jobs durably done in %.2f s = %,.0f jobs/s%s (%s)", system,
                    done, seconds, rate, unfinished > 0 ? " (timed out, " + unfinished + " unfinished)" : "", cpu);
        }
    }
}
