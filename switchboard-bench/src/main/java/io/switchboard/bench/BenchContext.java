package io.switchboard.bench;

import java.time.Duration;

/**
 * What every workload works with: the server, the options, where figures go, and the watch on other
 * processes competing for the machine.
 */
record BenchContext(BenchPostgres postgres, BenchOptions options, Results results, ForeignLoad foreignLoad) {
    /** Above this many cores used by other processes, a figure is flagged as disturbed. */
    static final double DISTURBED_CORES = 0.15;

    /** Before a timed section: wait (bounded) until other processes leave the machine alone. */
    void awaitQuiet() throws InterruptedException {
        foreignLoad.awaitQuiet(DISTURBED_CORES, Duration.ofMinutes(5));
    }

    /** After a timed section: flag its figure if other processes used the machine meanwhile. */
    double checkDisturbance(ForeignLoad.Mark mark, int run, String what) {
        double cores = foreignLoad.coresSince(mark);
        if (cores > DISTURBED_CORES) {
            results.note(String.format("run %d: %s was measured while other processes used %.2f cores on average", run, what, cores));
        }
        return cores;
    }
}
