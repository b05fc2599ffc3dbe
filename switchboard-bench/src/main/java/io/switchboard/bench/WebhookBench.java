package io.switchboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Webhook ingestion over HTTP: signed Stripe-style events posted to the real server (the built jar as a
 * subprocess on the bench's embedded PostgreSQL) and, in the same run, to a baseline server that verifies the
 * same signature and does one autocommitted INSERT per request ({@link BaselineWebhookServer}, its own JVM on its
 * own database of the same PostgreSQL). Per run, offered rate and system (order alternating per run): acknowledged
 * events/s, acknowledgement latency p50/p99 (open loop, from each request's due time), a share of requests that
 * re-send an already acknowledged event (Switchboard must answer them {@code "duplicate":true}, every original
 * {@code false}), and for Switchboard the end-to-end latency from {@code received_at} to {@code processed_at} of the
 * step's events, after waiting for all of them to be processed. Figures are medians of the runs.
 *
 * <pre>
 * mvn -q -B -DskipTests package
 * java -cp switchboard-bench/target/switchboard-bench.jar io.switchboard.bench.WebhookBench \
 *     [--rates=500,1000,2000,4000,max] [--seconds=10] [--runs=3] [--connections=64] [--duplicates=10] \
 *     [--baseline-threads=32] [--server-jar=switchboard-server/target/switchboard-server-*.jar] \
 *     [--pg-setting=shared_preload_libraries=pg_stat_statements]   (repeatable; with pg_stat_statements, prints
 *                                                                   the server's top statements at the end)
 * </pre>
 */
public final class WebhookBench {
    private static final String SECRET = "whsec_" + UUID.randomUUID().toString().replace("-", "");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern PATH = Pattern.compile("\"ingestionPath\"\\s*:\\s*\"([^\"]+)\"");
    static final String SWITCHBOARD = "switchboard";
    static final String BASELINE = "baseline-insert";

    /** Medians by BENCH line: workload, system, unit. */
    private final Map<String, List<Double>> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    private WebhookBench() {
    }

    /** One system under load: where to post, and whether it answers duplicates as such. */
    private record Target(String name, int port, String path, boolean deduplicates, CpuSource cpu) {
    }

    @FunctionalInterface
    private interface CpuSource {
        Duration used();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        List<Integer> rates = new ArrayList<>();
        for (String rate : BenchArgs.value(args, "--rates=", "500,1000,2000,4000,max").split(",")) {
            rates.add(rate.trim().equals("max") ? 0 : Integer.parseInt(rate.trim()));
        }
        int seconds = BenchArgs.intValue(args, "--seconds=", 10);
        int warmupSeconds = BenchArgs.intValue(args, "--warmup=", 30);
        int runs = BenchArgs.intValue(args, "--runs=", 3);
        int connections = BenchArgs.intValue(args, "--connections=", 64);
        int duplicates = BenchArgs.intValue(args, "--duplicates=", 10);
        int baselineThreads = BenchArgs.intValue(args, "--baseline-threads=", 32);
        Path jar = ServerProcess.serverJar(BenchArgs.value(args, "--server-jar=", null));
        Map<String, String> pgSettings = BenchArgs.pgSettings(args, Map.of("max_connections", "300"));
        new WebhookBench().run(jar, rates, Duration.ofSeconds(seconds), warmupSeconds, runs, connections, duplicates, baselineThreads, pgSettings);
        System.exit(0);
    }

    private void run(Path jar, List<Integer> rates, Duration step, int warmupSeconds, int runs, int connections, int duplicates, int baselineThreads,
                     Map<String, String> pgSettings) throws Exception {
        Path logs = Files.createTempDirectory("switchboard-webhook-bench-");
        try (BenchPostgres pg = BenchPostgres.start(pgSettings);
             BenchPostgres.Database sbDb = pg.createDatabase("webhooks", 4);
             BenchPostgres.Database baseDb = pg.createDatabase("baseline", 2)) {
            System.out.println("Switchboard webhook ingestion benchmark, " + Instant.now());
            MachineInfo.describe(pg.version(), pg.settings()).forEach(System.out::println);
            System.out.printf(Locale.ROOT, "options:  rates=%s step=%ds warm-up=%ds runs=%d connections=%d duplicates=%d%% baseline-threads=%d "
                    + "server=%s logs=%s%n", rates, step.toSeconds(), warmupSeconds, runs, connections, duplicates, baselineThreads, jar, logs);
            CpuWatch cpu = new CpuWatch(pg.postmasterPid());
            try (ServerProcess server = ServerProcess.start(jar, sbDb.dataSource().getJdbcUrl(), logs.resolve("server.log"), List.of());
                 Baseline baseline = Baseline.start(baseDb.dataSource().getJdbcUrl(), logs.resolve("baseline.log"), baselineThreads)) {
                String path = createStripeSource(server);
                log("server up on port %d, Stripe source %s; baseline up on port %d", server.port(), path, baseline.port);
                Target sb = new Target(SWITCHBOARD, server.port(), path, true, server::cpu);
                Target base = new Target(BASELINE, baseline.port, "/webhooks/stripe/baseline", false, baseline::cpu);
                // Half at 1,000/s, half unthrottled: the JIT compiles both the quiet and the loaded shapes of the
                // servers' hot paths before anything is measured.
                Duration warmHalf = Duration.ofSeconds(Math.max(1, warmupSeconds / 2));
                for (Target target : List.of(sb, base)) {
                    for (int warmRate : new int[]{1000, 0}) {
                        String prefix = warmRate == 0 ? "evt_wm_" : "evt_w_";
                        HttpLoad.Outcome warm = new HttpLoad(target.port(), connections)
                                .run(warmRate, warmHalf, events(target, prefix, duplicates).requests());
                        log("warm-up %s at %s: %s", target.name(), warmRate == 0 ? "max" : warmRate + "/s", warm);
                        if (target.deduplicates()) {
                            awaitProcessed(sbDb, prefix);
                        }
                    }
                }
                long baselineAcknowledged = 0;
                for (int run = 1; run <= runs; run++) {
                    for (int rate : rates) {
                        List<Target> order = run % 2 == 1 ? List.of(sb, base) : List.of(base, sb);
                        for (Target target : order) {
                            baselineAcknowledged += step(target, run, rate, step, connections, duplicates, cpu, sbDb);
                        }
                    }
                }
                try (Connection c = baseDb.dataSource().getConnection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM baseline_events")) {
                    rs.next();
                    long rows = rs.getLong(1);
                    // Warm-up requests are in the table too; every acknowledged request must have its row.
                    log("baseline: %,d rows for %,d acknowledged measured requests (plus warm-up)", rows, baselineAcknowledged);
                }
                if (pgSettings.getOrDefault("shared_preload_libraries", "").contains("pg_stat_statements")) {
                    printStatements(sbDb);
                }
            }
        }
        print();
    }

    /** One measured step; returns the requests the baseline acknowledged (0 for Switchboard). */
    private long step(Target target, int run, int rate, Duration step, int connections, int duplicates, CpuWatch cpu,
                      BenchPostgres.Database sbDb) throws Exception {
        String label = rate == 0 ? "max" : Integer.toString(rate);
        String prefix = "evt_r" + run + "x" + label + "_";
        Events events = events(target, prefix, duplicates);
        CpuWatch.Mark mark = cpu.mark();
        Duration serverCpu = target.cpu().used();
        HttpLoad.Outcome outcome = new HttpLoad(target.port(), connections).run(rate, step, events.requests());
        CpuWatch.Usage usage = cpu.since(mark);
        double seconds = (System.nanoTime() - mark.nanos()) / 1e9;
        double serverCores = (target.cpu().used().toNanos() - serverCpu.toNanos()) / 1e9 / seconds;
        String cpuSplit = String.format(Locale.ROOT, "CPU: server %.2f, PostgreSQL %.2f, load generator %.2f, other processes %.2f cores",
                serverCores, usage.postgres(), Math.max(0, usage.jvm() - serverCores), usage.others());
        if (usage.others() > BenchContext.DISTURBED_CORES) {
            notes.add(String.format(Locale.ROOT, "run %d, %s at %s/s: other processes used %.2f cores meanwhile", run, target.name(),
                    label, usage.others()));
        }
        add("webhook-ingest-" + label, target.name(), "events/s", outcome.perSecond());
        add("webhook-ack-p50-" + label, target.name(), "ms", outcome.p50Millis());
        add("webhook-ack-p99-" + label, target.name(), "ms", outcome.p99Millis());
        add("webhook-wrong-answers", target.name(), "requests", outcome.wrong());
        String endToEnd = "";
        if (target.deduplicates()) {
            long duplicatesSent = events.duplicatesSent.get();
            add("webhook-duplicates-acknowledged", target.name(), "percent",
                    duplicatesSent == 0 ? 100 : 100.0 * events.duplicatesAcknowledged.get() / duplicatesSent);
            Processed processed = awaitProcessed(sbDb, prefix);
            add("webhook-end-to-end-p50-" + label, target.name(), "ms", processed.p50Millis());
            add("webhook-end-to-end-p99-" + label, target.name(), "ms", processed.p99Millis());
            long lostOrDoubled = Math.abs(processed.events() - events.originalsAcknowledged.get());
            add("webhook-stored-mismatch", target.name(), "events", lostOrDoubled);
            endToEnd = String.format(Locale.ROOT, "; %,d events stored for %,d originals acknowledged, %,d of %,d re-sends answered "
                            + "duplicate; end-to-end p50 %.1f ms p99 %.1f ms", processed.events(), events.originalsAcknowledged.get(),
                    events.duplicatesAcknowledged.get(), duplicatesSent, processed.p50Millis(), processed.p99Millis());
        }
        log("run %d %-16s offered %5s/s: %s%s%n         %s", run, target.name(), label, outcome, endToEnd, cpuSplit);
        return target.deduplicates() ? 0 : outcome.sent() - outcome.wrong();
    }

    /** Where the Switchboard server's database time went (with --pg-setting=shared_preload_libraries=pg_stat_statements). */
    private static void printStatements(BenchPostgres.Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            // Planning is counted only with --pg-setting=pg_stat_statements.track_planning=on (else its columns are 0).
            try (ResultSet rs = s.executeQuery("""
                    SELECT calls, total_exec_time, mean_exec_time, rows, plans, total_plan_time,
                           jit_generation_time + jit_inlining_time + jit_optimization_time + jit_emission_time, regexp_replace(query, '\\s+', ' ', 'g')
                    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                    ORDER BY total_exec_time + total_plan_time DESC LIMIT 15""")) {
                System.out.printf("%nSwitchboard database, top statements by execution and planning time:%n%10s %12s %9s %10s %10s %12s %8s  %s%n",
                        "calls", "total ms", "mean ms", "rows", "plans", "planning ms", "JIT ms", "query");
                while (rs.next()) {
                    String query = rs.getString(8);
                    System.out.printf(Locale.ROOT, "%,10d %,12.0f %9.3f %,10d %,10d %,12.0f %,8.0f  %s%n", rs.getLong(1), rs.getDouble(2),
                            rs.getDouble(3), rs.getLong(4), rs.getLong(5), rs.getDouble(6), rs.getDouble(7),
                            query.length() > 160 ? query.substring(0, 160) + "..." : query);
                }
            }
        }
    }

    /** Signed events of one step: originals {@code <prefix><i>}, and re-sends of acknowledged ones. */
    private static final class Events {
        private final Target target;
        private final String prefix;
        private final int duplicatePercent;
        private final AtomicReferenceArray<byte[]> acknowledged = new AtomicReferenceArray<>(4096);
        private final AtomicLong ackedSlots = new AtomicLong();
        final AtomicLong originalsAcknowledged = new AtomicLong();
        final AtomicLong duplicatesSent = new AtomicLong();
        final AtomicLong duplicatesAcknowledged = new AtomicLong();

        Events(Target target, String prefix, int duplicatePercent) {
            this.target = target;
            this.prefix = prefix;
            this.duplicatePercent = duplicatePercent;
        }

        HttpLoad.Requests requests() {
            return this::next;
        }

        private HttpLoad.Exchange next(long i) {
            long filled = Math.min(ackedSlots.get(), acknowledged.length());
            if (i % 100 < duplicatePercent && filled > 0) {
                byte[] body = acknowledged.get((int) ThreadLocalRandom.current().nextLong(filled));
                duplicatesSent.incrementAndGet();
                return exchange(body, true);
            }
            long now = System.currentTimeMillis() / 1000;
            String body = """
                    {"id":"%s%d","object":"event","api_version":"2024-06-20","type":"invoice.paid","created":%d,"livemode":false,\
                    "pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"data":{"object":{"id":"in_%d","object":"invoice",\
                    "customer":"cus_%d","amount_due":2000,"amount_paid":2000,"currency":"usd","status":"paid","billing_reason":"subscription_cycle",\
                    "lines":{"object":"list","data":[{"id":"il_%d","amount":2000,"description":"1 x Pro plan"}]}}}}"""
                    .formatted(prefix, i, now, i, i % 1000, i);
            return exchange(body.getBytes(StandardCharsets.UTF_8), false);
        }

        private HttpLoad.Exchange exchange(byte[] body, boolean duplicate) {
            // Signed now, as Stripe signs each delivery attempt anew.
            List<String> headers = List.of("Stripe-Signature: " + StripeSignature.sign(SECRET, System.currentTimeMillis() / 1000, body));
            return new HttpLoad.Exchange() {
                @Override
                public String path() {
                    return target.path();
                }

                @Override
                public List<String> headers() {
                    return headers;
                }

                @Override
                public byte[] body() {
                    return body;
                }

                @Override
                public boolean check(int status, String answer) {
                    if (status != 200) {
                        return false;
                    }
                    if (!target.deduplicates()) {
                        if (!duplicate) {
                            remember(body);
                        }
                        return true;
                    }
                    boolean answeredDuplicate = answer.replace(" ", "").contains("\"duplicate\":true");
                    if (duplicate) {
                        if (answeredDuplicate) {
                            duplicatesAcknowledged.incrementAndGet();
                        }
                        return answeredDuplicate;
                    }
                    if (!answeredDuplicate) {
                        originalsAcknowledged.incrementAndGet();
                        remember(body);
                    }
                    return !answeredDuplicate;
                }
            };
        }

        private void remember(byte[] body) {
            acknowledged.set((int) (ackedSlots.getAndIncrement() % acknowledged.length()), body);
        }
    }

    private static Events events(Target target, String prefix, int duplicates) {
        return new Events(target, prefix, duplicates);
    }

    private record Processed(long events, double p50Millis, double p99Millis) {
    }

    /** Waits until every event of the step is processed; its received-to-processed latency. */
    private static Processed awaitProcessed(BenchPostgres.Database db, String prefix) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (Connection c = db.dataSource().getConnection()) {
            while (true) {
                try (PreparedStatement open = c.prepareStatement("""
                        SELECT count(*) FILTER (WHERE status <> 'completed') FROM app.webhook_event_log WHERE starts_with(dedupe_key, ?)""")) {
                    open.setString(1, prefix);
                    try (ResultSet rs = open.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            break;
                        }
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(rs.getLong(1) + " events of " + prefix + " still not processed after 3 minutes");
                        }
                    }
                }
                Thread.sleep(250);
            }
            try (PreparedStatement latency = c.prepareStatement("""
                    SELECT count(*),
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000,
                           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000
                    FROM app.webhook_event_log WHERE starts_with(dedupe_key, ?)""")) {
                latency.setString(1, prefix);
                try (ResultSet rs = latency.executeQuery()) {
                    rs.next();
                    return new Processed(rs.getLong(1), rs.getDouble(2), rs.getDouble(3));
                }
            }
        }
    }

    /** Through the API with the bootstrap platform-admin key: an org, its key, and a Stripe source; its ingestion path. */
    private static String createStripeSource(ServerProcess server) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String org = post(http, server.baseUrl() + "/api/admin/orgs", server.adminAuthorization(), true,
                "{\"name\":\"Webhook bench\"}", ID);
        String key = post(http, server.baseUrl() + "/api/admin/orgs/" + org + "/api-keys", server.adminAuthorization(), true,
                "{\"name\":\"webhook bench\"}", KEY);
        return post(http, server.baseUrl() + "/api/webhook-sources", "Bearer " + key, false,
                "{\"provider\":\"stripe\",\"name\":\"bench\",\"secrets\":[\"" + SECRET + "\"]}", PATH);
    }

    private static String post(HttpClient http, String url, String authorization, boolean idempotencyKey, String json, Pattern field)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey) {
            request.header("Idempotency-Key", UUID.randomUUID().toString());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = field.matcher(response.body());
        if (response.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("POST " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return m.group(1);
    }

    /** The baseline server as its own JVM, on the bench's class path. */
    private static final class Baseline implements AutoCloseable {
        private final Process process;
        final int port;

        private Baseline(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Baseline start(String jdbcUrl, Path log, int threads) throws Exception {
            int port = ServerProcess.freePort();
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), BaselineWebhookServer.class.getName(), Integer.toString(port), jdbcUrl,
                    SECRET, Integer.toString(threads))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.readString(log).contains(BaselineWebhookServer.READY)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroy();
                    throw new IllegalStateException("the baseline server did not start; its log: " + log);
                }
                Thread.sleep(100);
            }
            return new Baseline(process, port);
        }

        Duration cpu() {
            return process.info().totalCpuDuration().orElse(Duration.ZERO);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    private void add(String workload, String system, String unit, double value) {
        figures.computeIfAbsent(workload + " " + system + " " + unit, k -> new ArrayList<>()).add(value);
    }

    /** Counts of things that must not happen add up over all steps; rates and latencies take the median. */
    private static double aggregate(String key, List<Double> values) {
        return key.endsWith(" requests") || key.endsWith(" events")
                ? values.stream().mapToDouble(Double::doubleValue).sum() : median(values);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void print() {
        System.out.println();
        System.out.printf("%-34s %-16s %12s  %-30s %s%n", "workload", "system", "median*", "runs", "switchboard/baseline");
        for (Map.Entry<String, List<Double>> e : figures.entrySet()) {
            String[] parts = e.getKey().split(" ");
            double median = aggregate(e.getKey(), e.getValue());
            String ratio = "";
            if (parts[1].equals(SWITCHBOARD)) {
                List<Double> base = figures.get(parts[0] + " " + BASELINE + " " + parts[2]);
                if (base != null && median(base) != 0) {
                    ratio = String.format(Locale.ROOT, "%.2fx", median / median(base));
                }
            }
            System.out.printf(Locale.ROOT, "%-34s %-16s %12s  %-30s %s%n", parts[0], parts[1], format(median),
                    String.join(" ", e.getValue().stream().map(WebhookBench::format).toList()), ratio);
        }
        System.out.println("* the sum over all steps for wrong answers and stored mismatches");
        if (!notes.isEmpty()) {
            System.out.println();
            System.out.println("Notes:");
            notes.forEach(n -> System.out.println("- " + n));
        }
        System.out.println();
        for (Map.Entry<String, List<Double>> e : figures.entrySet()) {
            String[] parts = e.getKey().split(" ");
            System.out.printf(Locale.ROOT, "BENCH workload=%s system=%s value=%s unit=%s%n", parts[0], parts[1],
                    format(aggregate(e.getKey(), e.getValue())).replace(",", ""), parts[2]);
        }
    }

    private static String format(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static final long START = System.nanoTime();

    private static void log(String format, Object... args) {
        long seconds = (System.nanoTime() - START) / 1_000_000_000L;
        System.out.printf("[%02d:%02d] %s%n", seconds / 60, seconds % 60, String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
