package io.switchboard.bench;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.switchboard.db.SchemaMigration;
import io.switchboard.limit.RateLimit;
import io.switchboard.limit.RateLimiter;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate-limiter decisions per second: Switchboard's {@link RateLimiter} (GCRA, one statement per decision, UNLOGGED
 * table) against Bucket4j's PostgreSQL backend ({@code PostgreSQLSelectForUpdateBasedProxyManager}: a transaction
 * of SELECT ... FOR UPDATE, UPDATE and COMMIT per decision, on the table its documentation gives), on one embedded
 * PostgreSQL, same run, interleaved. Two control variants separate the statement design from durability:
 * Switchboard on a logged table ({@code switchboard-logged}) and Bucket4j on an UNLOGGED table
 * ({@code bucket4j-unlogged}). {@code bucket4j-advisory} (its advisory-lock backend) runs when asked for.
 *
 * <p>Workloads, each with the same {@code --threads}, every thread deciding one request at a time as fast as it can:
 * <ul>
 *   <li>{@code many-keys}: a random key of 10,000 per decision, a quota no key uses up (every decision admits);</li>
 *   <li>{@code hot-key}: one key, a quota it does not use up (every decision admits, all on one row);</li>
 *   <li>{@code hot-key-denied}: one key over a 10-per-hour quota (all but the first 10 decisions refuse): a client
 *       hammering past its limit.</li>
 * </ul>
 * Per run and workload, each system starts from an empty table, warms up for 2 s, then is measured for
 * {@code --seconds}; the systems' order rotates from run to run. Figures are medians of {@code --runs} runs.
 *
 * <pre>java -cp switchboard-bench/target/switchboard-bench.jar io.switchboard.bench.RateLimitBench [--threads=8] [--seconds=10] [--runs=3] [--keys=10000] [--systems=switchboard,bucket4j,switchboard-logged,bucket4j-unlogged]</pre>
 */
public final class RateLimitBench {
    private static final List<String> DEFAULT_SYSTEMS = List.of("switchboard", "bucket4j", "switchboard-logged", "bucket4j-unlogged");
    /** A quota no workload uses up within a run: every decision admits. */
    private static final int ROOMY_LIMIT = 100_000_000;
    private static final Duration WINDOW = Duration.ofHours(1);

    private RateLimitBench() {
    }

    /** One decision; true if admitted. */
    @FunctionalInterface
    interface Decider {
        boolean decide(String key) throws Exception;
    }

    /** A limiter under test on its own database. */
    interface LimiterSystem extends AutoCloseable {
        /** A decider for a quota of {@code limit} per {@link #WINDOW}. */
        Decider decider(int limit);

        /** Empties the limiter's table. */
        void reset() throws SQLException;

        @Override
        void close() throws SQLException;
    }

    record Workload(String name, int keys, int limit) {
    }

    record Measurement(double perSecond, double admittedShare, CpuWatch.Usage cpu) {
    }

    public static void main(String[] args) throws Exception {
        int threads = BenchArgs.intValue(args, "--threads=", 8);
        int seconds = BenchArgs.intValue(args, "--seconds=", 10);
        int runs = BenchArgs.intValue(args, "--runs=", 3);
        int keys = BenchArgs.intValue(args, "--keys=", 10_000);
        List<String> systems = BenchArgs.list(args, "--systems=", DEFAULT_SYSTEMS);
        List<Workload> workloads = List.of(new Workload("many-keys", keys, ROOMY_LIMIT), new Workload("hot-key", 1, ROOMY_LIMIT),
                new Workload("hot-key-denied", 1, 10));

        try (BenchPostgres pg = BenchPostgres.start(Map.of("max_connections", "300"))) {
            CpuWatch cpu = new CpuWatch(pg.postmasterPid());
            System.out.printf("rate-limit bench: %d threads, %d s per measurement, %d runs, %,d keys, systems %s%n",
                    threads, seconds, runs, keys, systems);
            MachineInfo.describe(pg.version(), pg.settings()).forEach(line -> System.out.println("  " + line));

            Map<String, LimiterSystem> open = new LinkedHashMap<>();
            try {
                for (String name : systems) {
                    open.put(name, create(pg, name, threads));
                }
                // JIT warm-up of every system's client path before anything is measured.
                for (LimiterSystem system : open.values()) {
                    system.reset();
                    measure(system.decider(ROOMY_LIMIT), keyNames(keys), threads, 3, cpu);
                }
                Map<String, Map<String, double[]>> results = new LinkedHashMap<>();
                for (Workload w : workloads) {
                    Map<String, double[]> bySystem = new LinkedHashMap<>();
                    systems.forEach(s -> bySystem.put(s, new double[runs]));
                    results.put(w.name(), bySystem);
                }
                for (int run = 0; run < runs; run++) {
                    List<String> order = new ArrayList<>(systems);
                    Collections.rotate(order, -run);
                    for (Workload w : workloads) {
                        for (String name : order) {
                            LimiterSystem system = open.get(name);
                            system.reset();
                            Decider decider = system.decider(w.limit());
                            List<String> names = keyNames(w.keys());
                            measure(decider, names, threads, 2, cpu);
                            Measurement m = measure(decider, names, threads, seconds, cpu);
                            results.get(w.name()).get(name)[run] = m.perSecond();
                            BenchMain.log("run %d %-15s %-18s %,10.0f decisions/s, %5.1f %% admitted; %s", run + 1, w.name(),
                                    name, m.perSecond(), m.admittedShare() * 100, m.cpu());
                        }
                    }
                }
                report(results, runs);
            } finally {
                for (LimiterSystem system : open.values()) {
                    system.close();
                }
            }
        }
    }

    private static void report(Map<String, Map<String, double[]>> results, int runs) {
        System.out.printf("%nmedian of %d runs, decisions per second (runs in brackets):%n", runs);
        results.forEach((workload, bySystem) -> {
            double base = bySystem.containsKey("bucket4j") ? ClosedLoop.median(bySystem.get("bucket4j")) : Double.NaN;
            bySystem.forEach((system, values) -> System.out.printf("  %-15s %-18s %,10.0f  %s%s%n", workload, system,
                    ClosedLoop.median(values), runsOf(values),
                    Double.isNaN(base) ? "" : String.format("  %.2fx bucket4j", ClosedLoop.median(values) / base)));
        });
        System.out.println();
        results.forEach((workload, bySystem) -> bySystem.forEach((system, values) ->
                System.out.printf("BENCH workload=ratelimit-%s system=%s value=%.0f unit=decisions/s%n", workload, system,
                        ClosedLoop.median(values))));
    }

    private static LimiterSystem create(BenchPostgres pg, String name, int threads) throws SQLException {
        BenchPostgres.Database db = pg.createDatabase("ratelimit_" + name, threads + 2);
        DataSource ds = db.dataSource();
        return switch (name) {
            case "switchboard", "switchboard-logged" -> {
                SchemaMigration.migrate(ds);
                if (name.equals("switchboard-logged")) {
                    execute(ds, "ALTER TABLE switchboard.rate_limits SET LOGGED");
                }
                RateLimiter limiter = new RateLimiter(ds);
                yield new LimiterSystem() {
                    @Override
                    public Decider decider(int limit) {
                        RateLimit policy = RateLimit.of("bench", limit, WINDOW);
                        return key -> limiter.tryAcquire(policy, key).allowed();
                    }

                    @Override
                    public void reset() throws SQLException {
                        execute(ds, "TRUNCATE switchboard.rate_limits");
                    }

                    @Override
                    public void close() throws SQLException {
                        db.close();
                    }
                };
            }
            case "bucket4j", "bucket4j-unlogged", "bucket4j-advisory" -> {
                // The table of Bucket4j's PostgreSQL documentation, with a text key for the benchmark's string keys.
                execute(ds, "CREATE " + (name.equals("bucket4j-unlogged") ? "UNLOGGED " : "")
                        + "TABLE bucket (id varchar PRIMARY KEY, state bytea" + (name.equals("bucket4j-advisory") ? ", explicit_lock bigint" : "") + ")");
                ProxyManager<String> proxies = name.equals("bucket4j-advisory")
                        ? Bucket4jPostgreSQL.advisoryLockBasedBuilder(ds).primaryKeyMapper(PrimaryKeyMapper.STRING).build()
                        : Bucket4jPostgreSQL.selectForUpdateBasedBuilder(ds).primaryKeyMapper(PrimaryKeyMapper.STRING).build();
                yield new LimiterSystem() {
                    @Override
                    public Decider decider(int limit) {
                        BucketConfiguration configuration = BucketConfiguration.builder()
                                .addLimit(l -> l.capacity(limit).refillGreedy(limit, WINDOW))
                                .build();
                        Map<String, BucketProxy> buckets = new ConcurrentHashMap<>();
                        return key -> buckets.computeIfAbsent(key, k -> proxies.builder().build(k, () -> configuration))
                                .tryConsumeAndReturnRemaining(1).isConsumed();
                    }

                    @Override
                    public void reset() throws SQLException {
                        execute(ds, "TRUNCATE bucket");
                    }

                    @Override
                    public void close() throws SQLException {
                        db.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown system '" + name
                    + "'; known: switchboard, switchboard-logged, bucket4j, bucket4j-unlogged, bucket4j-advisory");
        };
    }

    private static Measurement measure(Decider decider, List<String> keys, int threads, int seconds, CpuWatch cpu)
            throws InterruptedException {
        LongAdder admitted = new LongAdder();
        CpuWatch.Mark mark = cpu.mark();
        ClosedLoop.Result result = ClosedLoop.run(threads, Duration.ofSeconds(seconds), "rate-limit bench decision",
                (thread, i) -> {
                    if (decider.decide(keys.get(ThreadLocalRandom.current().nextInt(keys.size())))) {
                        admitted.increment();
                    }
                });
        long n = result.operations();
        return new Measurement(result.perSecond(), n == 0 ? 0 : admitted.sum() / (double) n, cpu.since(mark));
    }

    private static List<String> keyNames(int keys) {
        List<String> names = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++) {
            names.add("client-" + i);
        }
        return names;
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String runsOf(double[] values) {
        StringBuilder out = new StringBuilder("[");
        for (double v : values) {
            out.append(out.length() == 1 ? "" : " · ").append(String.format("%,.0f", v));
        }
        return out.append(']').toString();
    }
}
