package io.switchboard.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the benchmark: one embedded PostgreSQL, then for each run, workload and system a fresh database, one
 * system at a time so they never compete for the machine. Prints the machine, progress, a table per figure
 * with ratios to Switchboard and to the raw-SQL floor, the project's targets, and one {@code BENCH} line per
 * figure and system. See {@code docs/benchmarks.md}.
 */
public final class BenchMain {
    private static final long START = System.nanoTime();

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        // Before any logger exists: keep the libraries' INFO chatter out of the figures.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        // One WARN line per rescued job would bury the report; the drain counts re-run jobs itself.
        System.setProperty("org.slf4j.simpleLogger.log.io.switchboard.jobs.JobWorker", "error");
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Results results = new Results();
        BenchPostgres started = BenchPostgres.start(options.postgresSettings());
        AtomicBoolean finished = new AtomicBoolean();
        // Interrupted (Ctrl-C, SIGTERM): still report what was measured, and remove the server's directory.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!finished.get()) {
                System.out.println("\nINTERRUPTED: the figures below are those measured before the interruption");
                results.print(System.out);
                try {
                    started.close();
                } catch (Exception e) {
                    System.err.println("could not remove " + e.getMessage());
                }
            }
        }, "bench-interrupted"));
        try (BenchPostgres postgres = started) {
            System.out.println("Switchboard benchmark, " + Instant.now());
            MachineInfo.describe(postgres.version(), postgres.settings()).forEach(System.out::println);
            System.out.println("options:  " + options);
            System.out.println();
            BenchContext context = new BenchContext(postgres, options, results, new CpuWatch(postgres.postmasterPid()));
            DrainWorkload drain = new DrainWorkload(context);
            LatencyWorkload latency = new LatencyWorkload(context);
            EnqueueWorkload enqueue = new EnqueueWorkload(context);
            if (options.jvmWarmup()) {
                JvmWarmup warmup = new JvmWarmup(context);
                for (String system : options.systems()) {
                    warmup.run(system);
                }
            }
            for (int run = 1; run <= options.runs(); run++) {
                log("run %d of %d", run, options.runs());
                for (String system : options.systems()) {
                    if (options.runs("drain")) {
                        drain.run(system, run);
                    }
                }
                if (options.runs("latency")) {
                    for (String system : options.systems()) {
                        latency.run(system, false, run);
                    }
                    if (options.latencyVariants()) {
                        for (String system : options.systems()) {
                            if (Systems.latencyVariant(system).isPresent()) {
                                latency.run(system, true, run);
                            }
                        }
                    }
                }
                for (String system : options.systems()) {
                    if (options.runs("enqueue")) {
                        enqueue.run(system, run);
                    }
                }
            }
        }
        finished.set(true);
        results.print(System.out);
        System.out.printf("%nTotal time %s%n", Duration.ofNanos(System.nanoTime() - START).withNanos(0));
        // Some peers leave non-daemon threads behind.
        System.exit(0);
    }

    static void log(String format, Object... args) {
        long seconds = (System.nanoTime() - START) / 1_000_000_000L;
        System.out.printf("[%02d:%02d] %s%n", seconds / 60, seconds % 60, String.format(format, args));
        System.out.flush();
    }
}
