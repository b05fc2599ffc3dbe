package io.switchboard.bench;

import javax.sql.DataSource;
import java.util.Optional;

/** The systems under test and how each is built for a workload. */
final class Systems {
    static final String SWITCHBOARD = "switchboard";
    static final String RAW_SQL = "raw-sql";
    static final String DB_SCHEDULER = "db-scheduler";
    static final String JOBRUNR = "jobrunr";

    private Systems() {
    }

    /**
     * A fresh instance of {@code system} on {@code dataSource}, its schema installed and its workers not started.
     *
     * @param variant for the poll-bound peers: a short poll interval instead of their default; for Switchboard:
     *                producer and workers in two instances instead of one
     */
    static QueueSystem create(String system, DataSource dataSource, BenchOptions options, boolean variant) throws Exception {
        return switch (system) {
            case SWITCHBOARD -> new SwitchboardSystem(dataSource, options.switchboardConcurrency(), variant);
            case RAW_SQL -> new RawSqlSystem(dataSource, options.rawThreads(), options.rawBatch());
            case DB_SCHEDULER -> new DbSchedulerSystem(dataSource, options.dbSchedulerThreads(), variant);
            case JOBRUNR -> new JobRunrSystem(dataSource, options.jobRunrWorkers(), variant);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    /**
     * The latency variant of a system, if it has one: a short poll interval for the poll-bound peers, producer
     * and workers in separate instances for Switchboard (whose own instance wakes its runner in-process).
     */
    static Optional<String> latencyVariant(String system) {
        return switch (system) {
            case SWITCHBOARD -> Optional.of(SWITCHBOARD + "-cross-instance");
            case DB_SCHEDULER, JOBRUNR -> Optional.of(system + "-tuned");
            default -> Optional.empty();
        };
    }

    /** Connections the system's workers may hold at once, plus room for the workload's producers. */
    static int poolSize(String system, BenchOptions options) {
        int workers = switch (system) {
            case SWITCHBOARD -> 8;
            case RAW_SQL -> options.rawThreads();
            case DB_SCHEDULER -> options.dbSchedulerThreads();
            case JOBRUNR -> options.jobRunrWorkers();
            default -> 8;
        };
        return workers + Math.max(options.producers(), options.enqueueThreads()) + 8;
    }
}
