package io.switchboard.server.http.idempotency;

import io.switchboard.Switchboard;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTests;
import io.switchboard.server.tenancy.PlatformKeys;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency keys over real HTTP on real PostgreSQL. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@Import({IdempotencyApiTest.TestEndpoints.class, IdempotencyApiTest.FlakyController.class,
        IdempotencyApiTest.EnqueueController.class})
class IdempotencyApiTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("switchboard.idempotency.required-for", () -> "POST /api/jobs/dead/replay");
        registry.add("switchboard.idempotency.max-body-size", () -> "4KB");
        // The job endpoints are checked at commit by default; /api/test/enqueue does the same as POST /api/jobs but
        // with the claim before it runs.
        registry.add("switchboard.idempotency.checked-at-commit",
                () -> "POST /api/jobs,POST /api/jobs/*/replay,POST /api/test/enqueue-once-then-fail");
        // Workers look for jobs only when woken: a keyed enqueue must wake them at its commit.
        registry.add("switchboard.jobs.queues.default.poll-interval", () -> "5m");
    }

    @AfterAll
    static void stopWorkersBeforeTheDatabaseGoesAway(ApplicationContext context) {
        ServerTests.stopWorkers(context);
    }

    @TestConfiguration
    static class TestEndpoints {
        static final AtomicInteger flakyCalls = new AtomicInteger();
        /** Runs of the test endpoints by tag. */
        static final Map<String, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();

        static int ran(String tag) {
            return runs.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
        }
    }

    /**
     * {@code /api/test/enqueue} enqueues the request's job like {@code POST /api/jobs} (a no-op tagged with
     * {@code args.tag}), but is not checked at commit: the key is claimed before it runs.
     * {@code /api/test/enqueue-once-then-fail} is checked at commit and fails with a 500 after enqueueing on every run
     * but the first of a tag; {@code /api/test/enqueue-then-fail} always does.
     */
    @RestController
    static class EnqueueController {
        private final io.switchboard.jobs.JobQueue jobs;

        EnqueueController(io.switchboard.jobs.JobQueue jobs) {
            this.jobs = jobs;
        }

        @PostMapping("/api/test/enqueue")
        ResponseEntity<Map<String, Long>> enqueue(@org.springframework.web.bind.annotation.RequestBody Map<String, Object> job) {
            String tag = (String) ((Map<?, ?>) job.get("args")).get("tag");
            TestEndpoints.ran(tag);
            return created(tag);
        }

        @PostMapping("/api/test/enqueue-once-then-fail")
        ResponseEntity<Map<String, Long>> enqueueOnceThenFail(@org.springframework.web.bind.annotation.RequestParam String tag) {
            int run = TestEndpoints.ran(tag);
            ResponseEntity<Map<String, Long>> created = created(tag);
            if (run > 1) {
                throw new IllegalStateException("run " + run + " fails after enqueueing");
            }
            return created;
        }

        @PostMapping("/api/test/enqueue-then-fail")
        ResponseEntity<Void> enqueueThenFail(@org.springframework.web.bind.annotation.RequestParam String tag) {
            created(tag);
            throw new IllegalStateException("failed after enqueueing");
        }

        private ResponseEntity<Map<String, Long>> created(String tag) {
            long id = jobs.enqueue(io.switchboard.jobs.JobRequest.of(io.switchboard.server.jobs.BuiltInJobs.NOOP,
                    Map.<String, Object>of("tag", tag)).delay(java.time.Duration.ofMinutes(10))).id();
            return ResponseEntity.created(java.net.URI.create("/api/jobs/" + id)).body(Map.of("id", id));
        }
    }

    /** Fails with a 500 on its first call, then succeeds: the key of the failed call must not stick. */
    @RestController
    static class FlakyController {
        @PostMapping("/api/test/flaky")
        ResponseEntity<Map<String, Integer>> flaky() {
            int call = TestEndpoints.flakyCalls.incrementAndGet();
            if (call == 1) {
                throw new IllegalStateException("first call fails");
            }
            return ResponseEntity.status(201).body(Map.of("call", call));
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    Switchboard switchboard;

    ApiClient api;

    @Autowired
    ApplicationContext context;

    @BeforeEach
    void client() {
        api = ServerTests.adminClient(context, port);
    }

    /** The same request, the job endpoint checked at commit and a test endpoint whose key is claimed first. */
    private static final String CHECKED_AT_COMMIT = "/api/jobs";
    private static final String CLAIMED_FIRST = "/api/test/enqueue";

    private static String job(String tag) {
        return "{\"kind\": \"noop\", \"args\": {\"tag\": \"" + tag + "\"}, \"delayMs\": 600000}";
    }

    private Response post(String path, String body, String key) {
        return api.request("POST", path, body, key == null ? Map.of() : Map.of("Idempotency-Key", key));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {CHECKED_AT_COMMIT, CLAIMED_FIRST})
    void retriedPostWithTheSameKeyReturnsTheSameResponseAndCreatesOneJob(String path) {
        String tag = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        Response first = post(path, job(tag), key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header("Idempotent-Replayed")).isNull();

        Response retry = post(path, job(tag), key);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("Location")).isEqualTo(first.header("Location")).isNotNull();
        assertThat(retry.contentType()).isEqualTo(first.contentType());
        assertThat(jobsTagged(tag)).isEqualTo(1);
        if (path.equals(CLAIMED_FIRST)) {
            assertThat(TestEndpoints.runs.get(tag).get()).as("a claimed key's retry does not run").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {CHECKED_AT_COMMIT, CLAIMED_FIRST})
    void twentyConcurrentRequestsWithOneKeyRunOnce(String path) throws Exception {
        String tag = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return post(path, job(tag), key);
                }));
            }
            start.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : futures) {
                responses.add(f.get());
            }
            assertThat(responses).allSatisfy(r -> assertThat(r.status()).isIn(201, 409));
            assertThat(responses).filteredOn(r -> r.status() == 201 && r.header("Idempotent-Replayed") == null).hasSize(1);
            String created = responses.stream().filter(r -> r.status() == 201 && r.header("Idempotent-Replayed") == null)
                    .findFirst().orElseThrow().body();
            assertThat(responses).filteredOn(r -> r.status() == 201).allSatisfy(r -> assertThat(r.body()).isEqualTo(created));
            assertThat(responses).filteredOn(r -> r.status() == 409).allSatisfy(r -> {
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.json().get("type").asString()).isEqualTo("urn:switchboard:problem:idempotency-key-in-flight");
            });
        } finally {
            pool.shutdownNow();
        }
        assertThat(jobsTagged(tag)).isEqualTo(1);
        assertThat(post(path, job(tag), key).header("Idempotent-Replayed")).isEqualTo("true");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {CHECKED_AT_COMMIT, CLAIMED_FIRST})
    void sameKeyWithADifferentBodyIs422AndChangesNothing(String path) {
        String key = UUID.randomUUID().toString();
        String tag = UUID.randomUUID().toString();
        assertThat(post(path, job(tag), key).status()).isEqualTo(201);
        String other = UUID.randomUUID().toString();
        Response mismatch = post(path, job(other), key);
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.contentType()).startsWith("application/problem+json");
        assertThat(mismatch.json().get("type").asString()).isEqualTo("urn:switchboard:problem:idempotency-key-mismatch");
        assertThat(jobsTagged(other)).isZero();
        assertThat(jobsTagged(tag)).isEqualTo(1);
        // Another path with the same key and body is another request too.
        assertThat(post(path + "?x=1", job(tag), key).status()).isEqualTo(422);
        assertThat(jobsTagged(tag)).isEqualTo(1);
    }

    @Test
    void aRetryCheckedAtCommitWhoseRunFailsIsStillAnsweredWithTheStoredResponse() {
        String tag = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        Response first = post("/api/test/enqueue-once-then-fail?tag=" + tag, null, key);
        assertThat(first.status()).isEqualTo(201);

        Response retry = post("/api/test/enqueue-once-then-fail?tag=" + tag, null, key);
        assertThat(retry.status()).as("the retry ran, failed and was rolled back; the first response stands").isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(TestEndpoints.runs.get(tag).get()).isEqualTo(2);
        assertThat(jobsTagged(tag)).isEqualTo(1);

        // Without a stored response the failure is the answer, and nothing of it stays.
        String unstored = UUID.randomUUID().toString();
        TestEndpoints.ran(unstored);
        Response failed = post("/api/test/enqueue-once-then-fail?tag=" + unstored, null, UUID.randomUUID().toString());
        assertThat(failed.status()).isEqualTo(500);
        assertThat(jobsTagged(unstored)).isZero();
    }

    @Test
    void requiredKeyMissingIs400AndTheEndpointDoesNotRun() {
        Response missing = post("/api/jobs/dead/replay", "{}", null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().get("type").asString()).isEqualTo("urn:switchboard:problem:idempotency-key-missing");
        assertThat(post("/api/jobs/dead/replay", "{}", UUID.randomUUID().toString()).status()).isEqualTo(200);
        // Endpoints not listed keep working without a key.
        assertThat(post("/api/jobs", job(UUID.randomUUID().toString()), null).status()).isEqualTo(201);
    }

    @Test
    void serverErrorReleasesTheKeySoTheRetryRunsAgain() {
        String key = UUID.randomUUID().toString();
        Response failed = post("/api/test/flaky", null, key);
        assertThat(failed.status()).isEqualTo(500);
        Response retried = post("/api/test/flaky", null, key);
        assertThat(retried.status()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isNull();
        Response replayed = post("/api/test/flaky", null, key);
        assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.body()).isEqualTo(retried.body());
        assertThat(TestEndpoints.flakyCalls.get()).isEqualTo(2);
    }

    @Test
    void expiredKeysAreReapedAndThenReusable() throws Exception {
        String key = UUID.randomUUID().toString();
        assertThat(post("/api/jobs", job("before-expiry-" + key), key).status()).isEqualTo(201);
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "UPDATE switchboard.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ?")) {
            ps.setString(1, key);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(switchboard.idempotencyKeys().reapExpired()).isGreaterThanOrEqualTo(1);
        assertThat(keyRows(key)).isZero();
        String tag = "after-expiry-" + key;
        Response reused = post("/api/jobs", job(tag), key);
        assertThat(reused.status()).isEqualTo(201);
        assertThat(reused.header("Idempotent-Replayed")).isNull();
        assertThat(jobsTagged(tag)).isEqualTo(1);
    }

    @Test
    void inFlightKeyOfADeadRequestIsTakenOverAfterItsLease() throws Exception {
        String key = UUID.randomUUID().toString();
        String tag = UUID.randomUUID().toString();
        assertThat(post("/api/jobs", job(tag), key).status()).isEqualTo(201);
        // Turn the finished key back into the in-flight record of a request whose process died, lease lapsed.
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("""
                UPDATE switchboard.idempotency_keys
                SET status = NULL, content_type = NULL, headers = NULL, body = NULL, completed_at = NULL,
                    locked_until = now() - interval '1 second' WHERE key = ?""")) {
            ps.setString(1, key);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        Response takeover = post("/api/jobs", job(tag), key);
        assertThat(takeover.status()).isEqualTo(201);
        assertThat(takeover.header("Idempotent-Replayed")).isNull();
        assertThat(post("/api/jobs", job(tag), key).header("Idempotent-Replayed")).isEqualTo("true");
    }

    @Test
    void sameKeyFromTwoClientsIsIndependent() {
        String key = UUID.randomUUID().toString();
        String tagA = UUID.randomUUID().toString();
        String tagB = UUID.randomUUID().toString();
        ApiClient otherClient = api.withToken(context.getBean(PlatformKeys.class).issue("second client"));
        Response a = api.request("POST", "/api/jobs", job(tagA), Map.of("Idempotency-Key", key));
        Response b = otherClient.request("POST", "/api/jobs", job(tagB), Map.of("Idempotency-Key", key));
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).as("client b's key is not client a's").isEqualTo(201);
        assertThat(b.header("Idempotent-Replayed")).isNull();
        assertThat(jobsTagged(tagA)).isEqualTo(1);
        assertThat(jobsTagged(tagB)).isEqualTo(1);
    }

    @Test
    void hostileKeysAre400AndChangeNothing() {
        String tag = UUID.randomUUID().toString();
        for (String key : List.of("k".repeat(256), "tab\tinside", "")) {
            Response r = post("/api/jobs", job(tag), key);
            assertThat(r.status()).as("key '%s'", key).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("type").asString()).isEqualTo("urn:switchboard:problem:invalid-idempotency-key");
        }
        assertThat(jobsTagged(tag)).isZero();
        assertThat(keyRows("k".repeat(256))).isZero();
    }

    @Test
    void bodyOverTheCapIs413AndChangesNothing() {
        String tag = UUID.randomUUID().toString();
        String big = "{\"kind\": \"noop\", \"args\": {\"tag\": \"" + tag + "\", \"pad\": \"" + "x".repeat(5000) + "\"}}";
        String key = UUID.randomUUID().toString();
        Response r = post("/api/jobs", big, key);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(jobsTagged(tag)).isZero();
        assertThat(keyRows(key)).isZero();
    }

    @Test
    void aKeyedRequestThatFailsWithA5xxLeavesNoneOfItsWritesBehind() {
        String tag = UUID.randomUUID().toString();
        Response failed = post("/api/test/enqueue-then-fail?tag=" + tag, null, UUID.randomUUID().toString());
        assertThat(failed.status()).isEqualTo(500);
        assertThat(jobsTagged(tag)).as("the job enqueued before the failure is rolled back with it").isZero();

        String unkeyed = UUID.randomUUID().toString();
        assertThat(post("/api/test/enqueue-then-fail?tag=" + unkeyed, null, null).status()).isEqualTo(500);
        assertThat(jobsTagged(unkeyed)).as("without a key, each write commits on its own").isEqualTo(1);
    }

    @Test
    void aKeyedEnqueueCommitsWithItsStoredResponseAndItsJobStillRunsPromptly() {
        String key = UUID.randomUUID().toString();
        String tag = UUID.randomUUID().toString();
        Response created = post("/api/jobs", "{\"kind\": \"noop\", \"args\": {\"tag\": \"" + tag + "\"}}", key);
        assertThat(created.status()).isEqualTo(201);
        assertThat(keyRows(key)).isEqualTo(1);
        assertThat(jobsTagged(tag)).isEqualTo(1);
        // Woken after the commit (polling is off in this test): it completes.
        api.awaitState(created.json().get("id").asLong(), "completed");
    }

    private static long jobsTagged(String tag) {
        return count("SELECT count(*) FROM switchboard.jobs WHERE args->>'tag' = ?", tag);
    }

    private static long keyRows(String key) {
        return count("SELECT count(*) FROM switchboard.idempotency_keys WHERE key = ?", key);
    }

    private static long count(String sql, String value) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
