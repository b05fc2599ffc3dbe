package io.switchboard.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An unmeasured pass of every system through its code paths (bulk and single enqueue, workers) before the first
 * figure, so the JIT compiler's warm-up does not fall on whichever system happens to be measured first.
 */
final class JvmWarmup {
    private static final int JOBS = 10_000;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final BenchContext context;

    JvmWarmup(BenchContext context) {
        this.context = context;
    }

    void run(String system) throws Exception {
        BenchOptions options = context.options();
        try (BenchPostgres.Database database = context.postgres().createDatabase(system + "_warmup", Systems.poolSize(system, options));
             QueueSystem queue = Systems.create(system, database.dataSource(), options, false)) {
            int batch = Math.min(options.batch(), JOBS / 2);
            for (int first = 0; first < JOBS; first += batch) {
                queue.enqueueBatch(first, batch);
            }
            for (int i = 0; i < 1_000; i++) {
                queue.enqueueOne(JOBS + i);
            }
            LongAdder started = new LongAdder();
            queue.startWorkers(sequence -> started.increment());
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (started.sum() < JOBS + 1_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            BenchMain.log("%s warm-up: %,d jobs run in at most %d s", system, started.sum(),
                    TimeUnit.NANOSECONDS.toSeconds(LIMIT.toNanos()));
        }
    }
}
