package io.switchboard.bench;

import java.time.Duration;

/**
 * What every workload works with: the server, the options, where figures go, and the watch on CPU use (its
 * own, the server's, and other processes competing for the machine).
 */
record BenchContext(BenchPostgres postgres, BenchOptions options, Results results, CpuWatch cpu) {
    /** Above this many cores used by other processes, a figure is flagged as disturbed. */
    static final double DISTURBED_CORES = 0.15;

    /** Before a timed section: wait (bounded) until other processes leave the machine alone. */
    void awaitQuiet() throws InterruptedException {
        cpu.awaitQuiet(DISTURBED_CORES, Duration.ofMinutes(5));
    }

    /** After a timed section: where its CPU went; flags the figure if other processes used the machine meanwhile. */
    CpuWatch.Usage checkDisturbance(CpuWatch.Mark mark, int run, String what) {
        CpuWatch.Usage usage = cpu.since(mark);
        if (usage.others() > DISTURBED_CORES) {
            results.note(String.format("run %d: %s was measured while other processes used %.2f cores on average", run, what,
                    usage.others()));
        }
        return usage;
    }
}
