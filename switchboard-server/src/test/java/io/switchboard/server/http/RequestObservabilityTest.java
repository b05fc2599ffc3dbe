package io.switchboard.server.http;

import io.switchboard.server.ServerTestBase;
import io.switchboard.server.ServerTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Request ids, JSON log lines without secrets, and per-route latency and error metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "switchboard.jobs.instance-id=observed-instance")
@ExtendWith(OutputCaptureExtension.class)
@Import(TestOrgFilter.class)
class RequestObservabilityTest extends ServerTestBase {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    RawHttp http;

    @BeforeEach
    void client() {
        http = new RawHttp(port, ServerTests.adminKey(context));
    }

    @Test
    void aSaneIncomingRequestIdIsEchoedAndAnInsaneOneReplaced() {
        assertThat(http.send("GET", "/api/queues", null, "X-Request-Id", "abc-123").header("X-Request-Id")).isEqualTo("abc-123");

        String replaced = http.send("GET", "/api/queues", null, "X-Request-Id", "evil\" injected=1 " + "x".repeat(300))
                .header("X-Request-Id");
        assertThat(replaced).matches("[0-9a-f-]{36}");
        String generated = http.send("GET", "/api/queues", null).header("X-Request-Id");
        assertThat(generated).matches("[0-9a-f-]{36}");
        assertThat(UUID.fromString(generated).version()).isEqualTo(4);
        assertThat(UUID.fromString(generated).variant()).isEqualTo(2);
        assertThat(http.send("GET", "/api/queues", null).header("X-Request-Id")).isNotIn(generated, replaced);
    }

    @Test
    void logLinesAreJsonWithRequestAndInstanceIdsAndNeverCarrySecrets(CapturedOutput output) {
        http.send("GET", "/api/jobs/987654321?token=query-secret-1", null,
                "Authorization", "Bearer header-secret-2", "X-Api-Key", "sk_live_header-secret-3",
                "X-Request-Id", "logged-req-77");
        http.send("POST", "/api/jobs", "{\"kind\": \"nope\", \"args\": {\"password\": \"body-secret-4\"}}",
                "Content-Type", "application/json", "Authorization", "Basic aGVhZGVyLXNlY3JldC01",
                "X-Request-Id", "logged-req-78");

        String logs = output.getOut() + output.getErr();
        assertThat(logs).doesNotContain("query-secret-1", "header-secret-2", "header-secret-3", "aGVhZGVyLXNlY3JldC01",
                "body-secret-4");

        List<JsonNode> lines = logs.lines().filter(line -> line.startsWith("{")).map(JSON::readTree).toList();
        List<JsonNode> requestLines = lines.stream()
                .filter(line -> line.has("requestId") && line.get("requestId").asString().equals("logged-req-77")).toList();
        assertThat(requestLines).as("lines logged during the request").isNotEmpty();
        assertThat(requestLines).allSatisfy(line -> {
            assertThat(line.get("instance").asString()).isEqualTo("observed-instance");
            assertThat(line.has("message")).isTrue();
        });
        // The made-up bearer token is refused (401); the refusal is logged without it.
        assertThat(requestLines).anySatisfy(line ->
                assertThat(line.get("message").asString()).isEqualTo("GET /api/jobs/987654321 -> 401 in " + durationOf(line) + " ms"));
        assertThat(lines).anySatisfy(line -> assertThat(line.path("requestId").asString()).isEqualTo("logged-req-78"));
        // Lines outside requests (startup, worker threads) carry an instance too. (Which one depends on the Spring
        // context that configured logging last: other test classes of this JVM run their own.)
        assertThat(lines).allSatisfy(line -> assertThat(line.path("instance").asString()).isNotBlank());
        assertThat(logs.lines().filter(line -> line.contains("logged-req-")).toList())
                .as("every log line is one JSON object").allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
    }

    @Test
    void theOrgOfTheRequestIsOnItsLinesAndGoneAfterwards(CapturedOutput output) {
        http.send("GET", "/api/jobs/5550001", null, "X-Test-Org", "org-red", "X-Request-Id", "org-req-1");
        http.send("GET", "/api/jobs/5550002", null, "X-Request-Id", "org-req-2");

        List<JsonNode> lines = (output.getOut() + output.getErr()).lines().filter(line -> line.startsWith("{"))
                .map(JSON::readTree).toList();
        assertThat(lines).filteredOn(line -> line.path("requestId").asString().equals("org-req-1"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.path("org").asString()).isEqualTo("org-red"));
        assertThat(lines).filteredOn(line -> line.path("requestId").asString().equals("org-req-2"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.has("org")).as("no org left over: %s", line).isFalse());
    }

    @Test
    void requestLatencyQuantilesAndErrorsArePublishedPerRouteTemplate() {
        http.send("GET", "/api/jobs/11111", null);
        http.send("GET", "/api/jobs/22222", null);
        http.send("GET", "/api/queues", null);

        String scrape = http.send("GET", "/actuator/prometheus", null).raw().body();

        List<String> jobReads = scrape.lines().filter(l -> l.startsWith("http_server_requests_seconds{"))
                .filter(l -> l.contains("uri=\"/api/jobs/{id}\"")).toList();
        assertThat(jobReads).anySatisfy(l -> assertThat(l).contains("quantile=\"0.5\""));
        assertThat(jobReads).anySatisfy(l -> assertThat(l).contains("quantile=\"0.95\""));
        assertThat(jobReads).anySatisfy(l -> assertThat(l).contains("quantile=\"0.99\""));
        assertThat(jobReads).allSatisfy(l -> assertThat(l).contains("status=\"404\"").contains("outcome=\"CLIENT_ERROR\""));
        assertThat(scrape).contains("http_server_requests_seconds_count{")
                .doesNotContain("uri=\"/api/jobs/11111\"").doesNotContain("uri=\"/api/jobs/22222\"");
        assertThat(scrape.lines().filter(l -> l.startsWith("http_server_requests_seconds_count{"))
                .filter(l -> l.contains("uri=\"/api/queues\"") && l.contains("outcome=\"SUCCESS\"")).toList()).isNotEmpty();
    }

    private static String durationOf(JsonNode line) {
        String message = line.get("message").asString();
        return message.substring(message.lastIndexOf(" in ") + 4, message.length() - 3);
    }
}
