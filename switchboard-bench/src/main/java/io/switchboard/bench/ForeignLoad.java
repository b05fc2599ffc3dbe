package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * CPU used by processes that are neither this JVM nor the benchmark's PostgreSQL server: on a shared
 * machine (a build running next to the benchmark) figures measured meanwhile are not the systems' own.
 * Reads {@code /proc}; on systems without it every reading is zero.
 */
final class ForeignLoad {
    private static final long TICKS_PER_SECOND = 100;

    private final long ownPid = ProcessHandle.current().pid();
    private final long postmasterPid;

    ForeignLoad(long postmasterPid) {
        this.postmasterPid = postmasterPid;
    }

    /** CPU ticks consumed so far by foreign processes (and their reaped children). */
    long ticks() {
        Map<Long, long[]> stats = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    // Fields after the parenthesised command name: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ppid = Long.parseLong(f[1]);
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                    stats.put(Long.parseLong(dir.getFileName().toString()), new long[]{ppid, ticks});
                } catch (IOException | RuntimeException e) {
                    // The process ended while being read.
                }
            }
        } catch (IOException e) {
            return 0;
        }
        Set<Long> ours = new HashSet<>(Set.of(ownPid, postmasterPid));
        stats.forEach((pid, s) -> {
            if (s[0] == ownPid || s[0] == postmasterPid) {
                ours.add(pid);
            }
        });
        long total = 0;
        for (Map.Entry<Long, long[]> e : stats.entrySet()) {
            if (!ours.contains(e.getKey())) {
                total += e.getValue()[1];
            }
        }
        return total;
    }

    /** A reading at the start of a timed section. */
    record Mark(long ticks, long nanos) {
    }

    Mark mark() {
        return new Mark(ticks(), System.nanoTime());
    }

    /** Average number of cores foreign processes kept busy since {@code mark}. */
    double coresSince(Mark mark) {
        return cores(mark.ticks(), ticks(), System.nanoTime() - mark.nanos());
    }

    /** Average number of cores foreign processes kept busy between two readings {@code nanos} apart. */
    static double cores(long ticksBefore, long ticksAfter, long nanos) {
        return Math.max(0, ticksAfter - ticksBefore) / (double) TICKS_PER_SECOND / (nanos / 1e9);
    }

    /**
     * Waits, up to {@code maxWait}, for a second in which foreign processes use less than {@code threshold}
     * cores. Returns the last second's reading.
     */
    double awaitQuiet(double threshold, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        boolean told = false;
        while (true) {
            long before = ticks();
            long start = System.nanoTime();
            Thread.sleep(1000);
            double busy = cores(before, ticks(), System.nanoTime() - start);
            if (busy < threshold || System.nanoTime() > deadline) {
                return busy;
            }
            if (!told) {
                BenchMain.log("other processes keep %.2f cores busy; waiting up to %d s for the machine to be quiet",
                        busy, maxWait.toSeconds());
                told = true;
            }
        }
    }
}
