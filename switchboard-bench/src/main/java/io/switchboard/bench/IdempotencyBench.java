package io.switchboard.bench;

import io.switchboard.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Overhead of idempotency keys on a write endpoint, through the real server over HTTP: the built server jar runs
 * as a subprocess on the bench's embedded PostgreSQL, and {@code --threads} clients post {@code POST /api/jobs}
 * (a delayed no-op job, so workers stay out of the measurement) without and with a unique {@code Idempotency-Key},
 * interleaved, {@code --runs} runs of {@code --seconds} each (order alternating); reports medians.
 *
 * <pre>
 * mvn -q -B -DskipTests package
 * java -cp switchboard-bench/target/switchboard-bench.jar io.switchboard.bench.IdempotencyBench \
 *     [--threads=16] [--seconds=10] [--runs=3] [--server-jar=switchboard-server/target/switchboard-server-*.jar] \
 *     [--authorization=&lt;Authorization header value&gt;] [--pg-setting=name=value ...]
 * </pre>
 */
public final class IdempotencyBench {
    private static final String BODY = "{\"kind\": \"noop\", \"args\": {}, \"delayMs\": 86400000}";

    private IdempotencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = BenchArgs.intValue(args, "--threads=", 16);
        int seconds = BenchArgs.intValue(args, "--seconds=", 10);
        int runs = BenchArgs.intValue(args, "--runs=", 3);
        String authorization = BenchArgs.value(args, "--authorization=", null);
        Path jar = ServerProcess.serverJar(BenchArgs.value(args, "--server-jar=", null));
        Map<String, String> pgSettings = BenchArgs.pgSettings(args, Map.of("shared_buffers", "256MB"));
        Path dir = Files.createTempDirectory("switchboard-idempotency-bench-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        System.out.printf("idempotency bench: %d client threads, %d s per run, %d runs, %d cores, %s, server %s, "
                        + "PostgreSQL settings %s%n", threads, seconds, runs, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), jar, pgSettings);
        try {
            run(jar, dir, threads, seconds, runs, authorization, pgSettings);
        } finally {
            // The database (hundreds of MB after a run) goes; the server's log stays for a look.
            if (Files.exists(dir.resolve("data"))) {
                try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    private static void run(Path jar, Path dir, int threads, int seconds, int runs, String authorization,
                            Map<String, String> pgSettings) throws Exception {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().dataDirectory(dir.resolve("data"));
        pgSettings.forEach(builder::serverConfig);
        try (EmbeddedPostgres pg = builder.start()) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE idempotency_bench");
            }
            // Without --authorization, the server's bootstrap platform-admin key authenticates the clients.
            try (ServerProcess server = ServerProcess.start(jar, pg.jdbcUrl("idempotency_bench"), dir.resolve("server.log"),
                    // The API's default rate limit (100 per 15 min per client) would refuse the load; this measures idempotency.
                    List.of("--spring.datasource.hikari.maximum-pool-size=" + Math.max(20, threads + 4),
                            "--switchboard.rate-limit.enabled=false"))) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                String base = server.baseUrl();
                String auth = authorization != null ? authorization : server.adminAuthorization();
                Client plain = new Client(http, base, auth, false);
                Client keyed = new Client(http, base, auth, true);
                CpuWatch cpu = new CpuWatch(Long.parseLong(
                        Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).getFirst().trim()));
                Meter meter = new Meter(cpu, server, threads, pg);
                // 15 s each: with 5 s the first measured run still ran partly interpreted (-10 to -13 % "overhead").
                meter.measure(plain, 15);
                meter.measure(keyed, 15);
                double[] plainRates = new double[runs];
                double[] keyedRates = new double[runs];
                for (int run = 0; run < runs; run++) {
                    // Alternate which goes first so that drift (autovacuum, table growth) hits both alike.
                    if (run % 2 == 0) {
                        plainRates[run] = meter.measure(plain, seconds);
                        keyedRates[run] = meter.measure(keyed, seconds);
                    } else {
                        keyedRates[run] = meter.measure(keyed, seconds);
                        plainRates[run] = meter.measure(plain, seconds);
                    }
                    System.out.printf("run %d: without key %,.0f req/s, with key %,.0f req/s, overhead %.1f %%%n", run + 1,
                            plainRates[run], keyedRates[run], overhead(plainRates[run], keyedRates[run]));
                }
                double p = ClosedLoop.median(plainRates);
                double k = ClosedLoop.median(keyedRates);
                System.out.printf("%nPOST /api/jobs (median of %d): without key %,.0f req/s, with key %,.0f req/s, "
                        + "overhead %.1f %% (target <= 15 %%)%n", runs, p, k, overhead(p, k));
                System.out.printf("BENCH workload=post-jobs system=without-idempotency-key value=%.0f unit=req/s%n", p);
                System.out.printf("BENCH workload=post-jobs system=with-idempotency-key value=%.0f unit=req/s%n", k);
                System.out.printf("BENCH workload=idempotency-overhead system=switchboard value=%.1f unit=percent%n", overhead(p, k));
            }
        }
    }

    private record Client(HttpClient http, String base, String authorization, boolean withKey) {
        void post() throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/jobs"))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(BODY));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (withKey) {
                request.header("Idempotency-Key", UUID.randomUUID().toString());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("expected 201, got " + response.statusCode() + ": " + response.body());
            }
        }
    }

    /** Runs a client for a while and says where the CPU went: per request, in the server and in PostgreSQL. */
    private record Meter(CpuWatch cpu, ServerProcess server, int threads, EmbeddedPostgres pg) {
        double measure(Client client, int seconds) throws InterruptedException, SQLException {
            long[] walBefore = wal();
            CpuWatch.Mark mark = cpu.mark();
            Duration serverBefore = server.cpu();
            ClosedLoop.Result result = ClosedLoop.run(threads, Duration.ofSeconds(seconds), "request", (thread, i) -> client.post());
            CpuWatch.Usage usage = cpu.since(mark);
            double elapsed = (System.nanoTime() - mark.nanos()) / 1e9;
            double serverCores = (server.cpu().toNanos() - serverBefore.toNanos()) / 1e9 / elapsed;
            double rate = result.perSecond();
            long[] walAfter = wal();
            double requests = rate * elapsed;
            System.out.printf(Locale.ROOT, "  %s: %,.0f req/s; CPU: server %.2f, PostgreSQL %.2f, clients %.2f, other processes %.2f"
                            + " cores; per request: server %.0f us, PostgreSQL %.0f us, WAL %.0f bytes, %.2f full-page images%n",
                    client.withKey() ? "with key   " : "without key", rate, serverCores, usage.postgres(),
                    Math.max(0, usage.jvm() - serverCores), usage.others(), serverCores / rate * 1e6, usage.postgres() / rate * 1e6,
                    (walAfter[0] - walBefore[0]) / requests, (walAfter[1] - walBefore[1]) / requests);
            return rate;
        }

        /** WAL bytes and full-page images written so far (pg_stat_wal). */
        private long[] wal() throws SQLException {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT wal_bytes::bigint, wal_fpi FROM pg_stat_wal")) {
                rs.next();
                return new long[]{rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    private static double overhead(double without, double with) {
        return (without - with) / without * 100;
    }
}
