package io.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line options of the benchmark, all {@code --name=value} (or bare {@code --large} / {@code --help}).
 * Defaults give the documented run: 200k jobs, 1000 jobs/s for 30 s, every system, every workload, one run.
 */
record BenchOptions(
        int jobs,
        int rate,
        Duration duration,
        Duration warmup,
        List<String> systems,
        List<String> workloads,
        int runs,
        int producers,
        int enqueueThreads,
        Duration enqueueDuration,
        int batch,
        Duration drainTimeout,
        int switchboardConcurrency,
        int rawThreads,
        int rawBatch,
        int dbSchedulerThreads,
        int jobRunrWorkers,
        boolean latencyVariants,
        boolean analyzeAfterLoad,
        boolean jvmWarmup,
        Map<String, String> postgresSettings) {

    static final List<String> ALL_SYSTEMS = List.of(Systems.SWITCHBOARD, Systems.RAW_SQL, Systems.DB_SCHEDULER, Systems.JOBRUNR);
    static final List<String> ALL_WORKLOADS = List.of("drain", "latency", "enqueue");

    static final String USAGE = """
            Switchboard benchmark: the same workloads on Switchboard, a raw-SQL floor, db-scheduler and JobRunr,
            one embedded PostgreSQL, a fresh database per system, workload and run.

              --jobs=N               jobs drained and bulk-enqueued (default 200000)
              --large                shorthand for --jobs=1000000
              --rate=N               offered rate of the latency workload, jobs/s (default 1000)
              --duration=30s         measured time of the latency workload (default 30s)
              --warmup=5s            unmeasured lead-in of the latency workload (default 5s)
              --systems=a,b          any of switchboard,raw-sql,db-scheduler,jobrunr (default all)
              --workloads=a,b        any of drain,latency,enqueue (default all)
              --runs=N               repetitions; the median is reported (default 1)
              --producers=N          producer threads of the latency workload (default 4)
              --enqueue-threads=N    threads of the one-at-a-time enqueue workload (default 8)
              --enqueue-duration=10s measured time of the one-at-a-time enqueue workload (default 10s)
              --batch=N              batch size of bulk enqueues (default 10000)
              --drain-timeout=90s    a drain still running after this reports its rate so far (default 90s)
              --switchboard-concurrency=N  Switchboard handlers per queue (default 1000)
              --raw-threads=N        raw-sql worker threads (default 4)
              --raw-batch=N          raw-sql jobs per claim (default 500)
              --db-scheduler-threads=N     db-scheduler executor threads (default 128)
              --jobrunr-workers=N    JobRunr worker count (default 64)
              --latency-variants=true      also measure latency of db-scheduler and JobRunr with short poll
                                           intervals, and of Switchboard across two instances (default true)
              --jvm-warmup=true      run every system unmeasured through 11k jobs first, to warm up the JIT (default true)
              --pg-setting=name=value      an extra PostgreSQL setting, e.g. log_min_duration_statement=50 (repeatable)
              --analyze-after-load=true    VACUUM ANALYZE after the drain's pre-load, as a production table has statistics (default true)
            """;

    static BenchOptions parse(String[] args) {
        int jobs = 200_000;
        int rate = 1000;
        Duration duration = Duration.ofSeconds(30);
        Duration warmup = Duration.ofSeconds(5);
        List<String> systems = ALL_SYSTEMS;
        List<String> workloads = ALL_WORKLOADS;
        int runs = 1;
        int producers = 4;
        int enqueueThreads = 8;
        Duration enqueueDuration = Duration.ofSeconds(10);
        int batch = 10_000;
        Duration drainTimeout = Duration.ofSeconds(90);
        int sbConcurrency = 1000;
        int rawThreads = 4;
        int rawBatch = 500;
        int dbsThreads = 128;
        int jobRunrWorkers = 64;
        boolean latencyVariants = true;
        boolean analyze = true;
        boolean jvmWarmup = true;
        Map<String, String> postgresSettings = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (arg.equals("--large")) {
                jobs = 1_000_000;
                continue;
            }
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("unrecognised argument '" + arg + "' (expected --name=value)\n" + USAGE);
            }
            String name = arg.substring(2, arg.indexOf('='));
            String value = arg.substring(arg.indexOf('=') + 1);
            switch (name) {
                case "jobs" -> jobs = positive(name, value);
                case "rate" -> rate = positive(name, value);
                case "duration" -> duration = duration(name, value);
                case "warmup" -> warmup = duration(name, value);
                case "systems" -> systems = list(name, value, ALL_SYSTEMS);
                case "workloads" -> workloads = list(name, value, ALL_WORKLOADS);
                case "runs" -> runs = positive(name, value);
                case "producers" -> producers = positive(name, value);
                case "enqueue-threads" -> enqueueThreads = positive(name, value);
                case "enqueue-duration" -> enqueueDuration = duration(name, value);
                case "batch" -> batch = positive(name, value);
                case "drain-timeout" -> drainTimeout = duration(name, value);
                case "switchboard-concurrency" -> sbConcurrency = positive(name, value);
                case "raw-threads" -> rawThreads = positive(name, value);
                case "raw-batch" -> rawBatch = positive(name, value);
                case "db-scheduler-threads" -> dbsThreads = positive(name, value);
                case "jobrunr-workers" -> jobRunrWorkers = positive(name, value);
                case "latency-variants" -> latencyVariants = Boolean.parseBoolean(value);
                case "analyze-after-load" -> analyze = Boolean.parseBoolean(value);
                case "jvm-warmup" -> jvmWarmup = Boolean.parseBoolean(value);
                case "pg-setting" -> {
                    int eq = value.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--pg-setting must be name=value, was '" + value + "'");
                    }
                    postgresSettings.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option --" + name + "\n" + USAGE);
            }
        }
        return new BenchOptions(jobs, rate, duration, warmup, systems, workloads, runs, producers, enqueueThreads,
                enqueueDuration, batch, drainTimeout, sbConcurrency, rawThreads, rawBatch, dbsThreads, jobRunrWorkers,
                latencyVariants, analyze, jvmWarmup, Map.copyOf(postgresSettings));
    }

    boolean runs(String workload) {
        return workloads.contains(workload);
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n < 1) {
                throw new IllegalArgumentException("--" + name + " must be at least 1, was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + value + "'");
        }
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m}, or a bare number of seconds. */
    static Duration duration(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(v));
            }
            if (d.isNegative()) {
                throw new IllegalArgumentException("--" + name + " must not be negative, was " + value);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a duration like 30s, 500ms or 2m, was '" + value + "'");
        }
    }

    private static List<String> list(String name, String value, List<String> allowed) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            String trimmed = item.trim().toLowerCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!allowed.contains(trimmed)) {
                throw new IllegalArgumentException("--" + name + ": unknown '" + trimmed + "', choose from " + allowed);
            }
            if (!items.contains(trimmed)) {
                items.add(trimmed);
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " must name at least one of " + allowed);
        }
        // Keep the canonical order so tables always read the same way.
        return allowed.stream().filter(items::contains).toList();
    }

    @Override
    public String toString() {
        return "jobs=" + jobs + " rate=" + rate + "/s duration=" + duration.toSeconds() + "s warmup=" + warmup.toSeconds()
                + "s runs=" + runs + " systems=" + systems + " workloads=" + workloads + " producers=" + producers
                + " enqueue-threads=" + enqueueThreads + " enqueue-duration=" + enqueueDuration.toSeconds() + "s batch=" + batch
                + " switchboard-concurrency=" + switchboardConcurrency + " raw-threads=" + rawThreads + " raw-batch=" + rawBatch
                + " db-scheduler-threads=" + dbSchedulerThreads + " jobrunr-workers=" + jobRunrWorkers
                + " latency-variants=" + latencyVariants + " analyze-after-load=" + analyzeAfterLoad + " jvm-warmup=" + jvmWarmup
                + (postgresSettings.isEmpty() ? "" : " pg-settings=" + postgresSettings);
    }
}
