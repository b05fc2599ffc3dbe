package io.switchboard.server.webhooks;

import io.switchboard.server.ApiClient;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import static io.switchboard.server.webhooks.WebhookTestSupport.count;
import static io.switchboard.server.webhooks.WebhookTestSupport.organization;
import static io.switchboard.server.webhooks.WebhookTestSupport.source;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeEvent;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeSignature;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Two real server processes on one database receive a burst of signed Stripe events from several clients; one is
 * killed with SIGKILL mid-burst, with requests in flight and jobs running. Clients retry what was not acknowledged
 * against the other server, as a provider would. No acknowledged event may be lost, none stored twice, and every
 * stored event's effect must be applied exactly once (the survivor rescues the dead server's jobs after their lease).
 */
class WebhookCrashTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static final Logger log = LoggerFactory.getLogger(WebhookCrashTest.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "whsec_crash_test_0123456789abcdef";
    private static final int EVENTS = 2_000;
    private static final int DUPLICATES = 300;
    private static final int CLIENTS = 8;
    private static final int MAX_ATTEMPTS = 40;
    /** SIGKILL once this many deliveries were acknowledged (about a third of the burst). */
    private static final int KILL_AFTER_ACKS = 700;
    private static final int SIGKILL_EXIT = 128 + 9;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ChildServer> servers = new ArrayList<>();

    // What the clients saw.
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final LongAdder acknowledgements = new LongAdder();
    private final LongAdder duplicateAcknowledgements = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder lostInFlight = new LongAdder();
    private final LongAdder serverErrors = new LongAdder();
    private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void killLeftovers() {
        servers.forEach(server -> server.process.destroyForcibly());
    }

    @Test
    void serverKilledMidBurstLosesNoAcknowledgedEventAndAppliesNoneTwice() throws Exception {
        ChildServer doomed = start("crash-a");
        ChildServer survivor = start("crash-b");
        doomed.awaitReady();
        survivor.awaitReady();
        execute("CREATE TABLE app.crash_effects (event_id bigint NOT NULL, instance text NOT NULL, "
                + "applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        execute("GRANT INSERT ON app.crash_effects TO switchboard_tenant");
        ApiClient org = organization(new ApiClient(doomed.port, doomed.adminKey), "Crash");
        String sourceId = source(org, "stripe", "[\"" + SECRET + "\"]", "{}");
        String path = "/webhooks/stripe/" + sourceId;

        List<String> deliveries = deliveries();
        ConcurrentLinkedQueue<String> toSend = new ConcurrentLinkedQueue<>(deliveries);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<ChildServer> targets = List.of(doomed, survivor);
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.submit(() -> {
                int sent = 0;
                for (String id = toSend.poll(); id != null; id = toSend.poll()) {
                    deliver(path, id, targets.get((client + sent++) % 2), targets);
                }
            });
        }

        // The count that let the wait end is the one reported: reading it again could fall between two events'
        // handlers of a batch (or after its commit) and see none, though the kill follows at once.
        long[] inFlight = new long[1];
        awaitCondition("acknowledgements and handlers mid-transaction on the server to kill", Duration.ofSeconds(120),
                () -> acknowledgements.sum() >= KILL_AFTER_ACKS && (inFlight[0] = effectsInFlight("crash-a")) > 0);
        long effectsAtKill = inFlight[0];
        long runningAtKill = runningJobsOf("crash-a");
        long acknowledgedBeforeKill = acknowledgements.sum();
        doomed.process.destroyForcibly(); // SIGKILL on Linux
        assertThat(doomed.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        clients.shutdown();
        assertThat(clients.awaitTermination(120, TimeUnit.SECONDS)).as("clients finished").isTrue();
        awaitCondition("every event processed and no processing job left", Duration.ofSeconds(120),
                () -> count(db, "SELECT count(*) FROM app.webhook_event_log WHERE status <> 'completed'") == 0
                        && count(db, "SELECT count(*) FROM switchboard.jobs WHERE kind = 'webhook.process' "
                        + "AND state IN ('available', 'scheduled', 'running')") == 0);

        // Accepted requests: each event row (its first copy) and each duplicate's receipt.
        long receipts = count(db, "SELECT count(*) FROM app.webhook_receipts")
                + count(db, "SELECT count(*) FROM app.webhook_events");
        long rescued = count(db, "SELECT count(*) FROM switchboard.jobs WHERE kind = 'webhook.process' "
                + "AND errors::text LIKE '%lease expired%'");
        log.info("CRASH events={} deliveries={} duplicatesSent={} acknowledged={} duplicateAcks={} retries={} "
                        + "refused={} lostInFlight={} serverErrors={} acknowledgedBeforeKill={} runningJobsAtKill={} "
                        + "uncommittedEffectsAtKill={} rescuedJobs={} receipts={} committedButUnanswered={} effectsByInstance={}",
                EVENTS, deliveries.size(), DUPLICATES, acknowledgements.sum(), duplicateAcknowledgements.sum(),
                retries.sum(), refused.sum(), lostInFlight.sum(), serverErrors.sum(), acknowledgedBeforeKill,
                runningAtKill, effectsAtKill, rescued, receipts, receipts - acknowledgements.sum(), effectsByInstance());

        // The killed process died of the SIGKILL.
        assertThat(doomed.process.exitValue()).isEqualTo(SIGKILL_EXIT);
        assertThat(ProcessHandle.of(doomed.process.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(survivor.process.isAlive()).isTrue();
        // The crash hit work in progress: requests in flight were cut off and running jobs were rescued.
        assertThat(lostInFlight.sum()).as("requests cut off by the kill").isPositive();
        assertThat(effectsAtKill).as("handlers killed with their effect written, not committed").isPositive();
        assertThat(rescued).as("jobs of the killed server rescued after their lease").isPositive();

        // Every delivery was acknowledged in the end; nothing was refused for a reason other than the crash.
        assertThat(unexpected).isEmpty();
        assertThat(acknowledged).hasSize(EVENTS);
        // Every acknowledged event is stored, under the id it was acknowledged with, and none twice.
        Map<String, Long> stored = storedEvents(sourceId);
        assertThat(stored).containsExactlyInAnyOrderEntriesOf(acknowledged);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events")).isEqualTo(EVENTS);
        // Every stored event's effect was applied exactly once.
        assertThat(count(db, "SELECT count(DISTINCT event_id) FROM app.crash_effects")).isEqualTo(EVENTS);
        assertThat(count(db, """
                SELECT count(*) FROM (SELECT event_id FROM app.crash_effects GROUP BY event_id HAVING count(*) > 1) twice"""))
                .as("events applied more than once").isZero();
        assertThat(count(db, """
                SELECT count(*) FROM app.webhook_events e
                WHERE NOT EXISTS (SELECT FROM app.crash_effects f WHERE f.event_id = e.id)""")).isZero();
    }

    /** Every event once and some again, shuffled, so duplicates race their first copies across both servers. */
    private static List<String> deliveries() {
        Random random = new Random(5);
        List<String> deliveries = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            deliveries.add("evt_crash_" + i);
        }
        for (int i = 0; i < DUPLICATES; i++) {
            deliveries.add("evt_crash_" + random.nextInt(EVENTS));
        }
        Collections.shuffle(deliveries, random);
        return deliveries;
    }

    /**
     * Sends one event until a server acknowledges it, as a provider retries: a refused connection, a cut-off
     * request and a 5xx mean "not acknowledged", retried (freshly signed) against the other server.
     */
    private void deliver(String path, String eventId, ChildServer first, List<ChildServer> targets) {
        String body = stripeEvent(eventId);
        ChildServer target = first;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                retries.increment();
                pause(Math.min(20L * attempt, 500));
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Stripe-Signature", stripeSignature(SECRET, Instant.now().getEpochSecond(), body))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode json = JSON.readTree(response.body());
                    acknowledgements.increment();
                    if (json.get("duplicate").asBoolean()) {
                        duplicateAcknowledgements.increment();
                    }
                    Long previous = acknowledged.putIfAbsent(eventId, json.get("eventId").asLong());
                    if (previous != null && previous != json.get("eventId").asLong()) {
                        unexpected.add(eventId + " acknowledged as events " + previous + " and " + json.get("eventId"));
                    }
                    return;
                }
                if (response.statusCode() < 500) {
                    unexpected.add(eventId + ": " + response.statusCode() + " " + response.body());
                    return;
                }
                serverErrors.increment();
            } catch (ConnectException e) {
                refused.increment();
            } catch (IOException e) {
                if (target.process.isAlive() && target.name.equals("crash-b")) {
                    unexpected.add(eventId + ": " + e);
                }
                lostInFlight.increment();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            target = targets.get(0) == target ? targets.get(1) : targets.get(0);
        }
        unexpected.add(eventId + ": not acknowledged after " + MAX_ATTEMPTS + " attempts");
    }

    private ChildServer start(String instance) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = List.of(java, "-Xmx256m", "-cp", classpath, WebhookCrashTestServer.class.getName(),
                "--spring.datasource.url=" + db.jdbcUrl(), "--server.port=0",
                "--switchboard.jobs.instance-id=" + instance,
                "--switchboard.webhooks.secret-key=" + WebhookTestSupport.SECRET_KEY,
                "--switchboard.jobs.queues.webhooks.lease=3s",
                "--switchboard.jobs.queues.webhooks.poll-interval=200ms",
                "--logging.level.root=WARN");
        ChildServer server = new ChildServer(instance, new ProcessBuilder(command).redirectErrorStream(true).start());
        servers.add(server);
        server.readOutput();
        return server;
    }

    /** A server in a JVM of its own, its output kept for failure messages. */
    private static final class ChildServer {
        final String name;
        final Process process;
        final List<String> output = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<String[]> ready = new CompletableFuture<>();
        int port;
        String adminKey;

        ChildServer(String name, Process process) {
            this.name = name;
            this.process = process;
        }

        void readOutput() {
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (output.size() < 2_000) {
                            output.add(line);
                        }
                        if (line.startsWith("READY ")) {
                            ready.complete(line.split(" "));
                        }
                    }
                } catch (IOException ignored) {
                    // process gone
                }
                ready.complete(null);
            });
        }

        void awaitReady() throws Exception {
            String[] words = ready.get(180, TimeUnit.SECONDS);
            if (words == null) {
                fail("server %s exited before it was ready:%n%s", name, String.join("\n", output));
            }
            port = Integer.parseInt(words[1]);
            adminKey = words[2];
        }
    }

    private static long runningJobsOf(String instance) {
        return count(db, "SELECT count(*) FROM switchboard.jobs WHERE kind = 'webhook.process' AND state = 'running' "
                + "AND worker_id LIKE '" + instance + "%'");
    }

    /** Handlers of {@code instance} inside their pause: their effect is written and not yet committed. */
    private static long effectsInFlight(String instance) {
        return count(db, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                + "AND query LIKE '%effect pause " + instance + " %'");
    }

    private static Map<String, Long> storedEvents(String sourceId) throws SQLException {
        Map<String, Long> stored = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT dedupe_key, id FROM app.webhook_events WHERE source_id = '" + sourceId + "'")) {
            while (rs.next()) {
                stored.put(rs.getString(1), rs.getLong(2));
            }
        }
        return stored;
    }

    private static Map<String, Long> effectsByInstance() throws SQLException {
        Map<String, Long> byInstance = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT instance, count(*) FROM app.crash_effects GROUP BY instance")) {
            while (rs.next()) {
                byInstance.put(rs.getString(1), rs.getLong(2));
            }
        }
        return byInstance;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void awaitCondition(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("no %s within %s; client errors: %s; server output:%n%s", what, timeout,
                        unexpected.stream().limit(20).toList(),
                        servers.stream().map(s -> s.name + ":\n" + String.join("\n", s.output)).toList());
            }
            Thread.sleep(50);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
