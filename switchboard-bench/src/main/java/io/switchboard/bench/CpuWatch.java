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
 * CPU used by this JVM, by the benchmark's PostgreSQL server (postmaster and backends), and by every other
 * process, read from {@code /proc}. The split says where a workload's time goes; the others' share flags
 * figures measured while the machine was shared (a build running next to the benchmark). Without
 * {@code /proc} every reading is zero.
 */
final class CpuWatch {
    private static final long TICKS_PER_SECOND = 100;

    private final long ownPid = ProcessHandle.current().pid();
    private final long postmasterPid;

    CpuWatch(long postmasterPid) {
        this.postmasterPid = postmasterPid;
    }

    /** CPU ticks consumed so far, including reaped children's. */
    record Ticks(long jvm, long postgres, long others) {
    }

    /** Average cores kept busy over a section. */
    record Usage(double jvm, double postgres, double others) {
        @Override
        public String toString() {
            return String.format("CPU: JVM %.2f, PostgreSQL %.2f, other processes %.2f cores", jvm, postgres, others);
        }
    }

    /** A reading at the start of a timed section. */
    record Mark(Ticks ticks, long nanos) {
    }

    Mark mark() {
        return new Mark(ticks(), System.nanoTime());
    }

    Usage since(Mark mark) {
        Ticks now = ticks();
        double seconds = (System.nanoTime() - mark.nanos()) / 1e9;
        return new Usage(cores(now.jvm() - mark.ticks().jvm(), seconds), cores(now.postgres() - mark.ticks().postgres(), seconds),
                cores(now.others() - mark.ticks().others(), seconds));
    }

    /**
     * Waits, up to {@code maxWait}, for a second in which other processes use less than {@code threshold} cores.
     */
    void awaitQuiet(double threshold, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        boolean told = false;
        while (true) {
            Mark mark = mark();
            Thread.sleep(1000);
            double others = since(mark).others();
            if (others < threshold || System.nanoTime() > deadline) {
                return;
            }
            if (!told) {
                BenchMain.log("other processes keep %.2f cores busy; waiting up to %d s for the machine to be quiet",
                        others, maxWait.toSeconds());
                told = true;
            }
        }
    }

    private static double cores(long ticks, double seconds) {
        return Math.max(0, ticks) / (double) TICKS_PER_SECOND / seconds;
    }

    private Ticks ticks() {
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
            return new Ticks(0, 0, 0);
        }
        Set<Long> postgres = new HashSet<>(Set.of(postmasterPid));
        Set<Long> jvm = new HashSet<>(Set.of(ownPid));
        stats.forEach((pid, s) -> {
            if (s[0] == postmasterPid) {
                postgres.add(pid);
            } else if (s[0] == ownPid) {
                jvm.add(pid);
            }
        });
        long ownTicks = 0;
        long postgresTicks = 0;
        long otherTicks = 0;
        for (Map.Entry<Long, long[]> e : stats.entrySet()) {
            long ticks = e.getValue()[1];
            if (jvm.contains(e.getKey())) {
                ownTicks += ticks;
            } else if (postgres.contains(e.getKey())) {
                postgresTicks += ticks;
            } else {
                otherTicks += ticks;
            }
        }
        return new Ticks(ownTicks, postgresTicks, otherTicks);
    }
}
