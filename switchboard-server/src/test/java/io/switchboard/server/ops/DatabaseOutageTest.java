package io.switchboard.server.ops;

import io.switchboard.server.DatabaseOutageTestBase;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** While the database is down the API says so (503, Retry-After) and health is DOWN; afterwards all works again. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseOutageTest extends DatabaseOutageTestBase {
    @Test
    void requestsDuringADatabaseOutageGet503WithRetryAfterAndTheServerRecovers() {
        ApiClient api = ServerTests.adminClient(context, port);
        long before = api.enqueue("""
                {"kind": "noop", "delayMs": 600000}""");

        db.stopServer();
        try {
            Response read = api.get("/api/jobs/" + before);
            assertThat(read.status()).isEqualTo(503);
            assertThat(read.contentType()).startsWith("application/problem+json");
            assertThat(read.header("Retry-After")).isEqualTo("5");
            assertThat(read.json().get("type").asString()).isEqualTo("urn:switchboard:problem:database-unavailable");

            Response enqueue = api.post("/api/jobs", """
                    {"kind": "noop"}""");
            assertThat(enqueue.status()).isEqualTo(503);
            assertThat(enqueue.header("Retry-After")).isNotNull();

            for (String path : List.of("/api/schedules", "/api/leases", "/api/instances")) {
                Response response = api.get(path);
                assertThat(response.status()).as("%s: %s", path, response.body()).isEqualTo(503);
                assertThat(response.header("Retry-After")).as(path).isEqualTo("5");
                assertThat(response.json().get("type").asString()).as(path)
                        .isEqualTo("urn:switchboard:problem:database-unavailable");
            }
            // Authentication itself needs the database (keys are checked there, so a revocation holds at once).
            assertThat(api.get("/api/instances/self").status()).isEqualTo(503);

            Response health = api.get("/actuator/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("components").get("db").get("status").asString()).isEqualTo("DOWN");
        } finally {
            db.startServer();
        }

        // Clients retry after Retry-After; the pool replaces its broken connections within a few attempts.
        awaitStatus(api, "/api/jobs/" + before, 200);
        awaitStatus(api, "/actuator/health", 200);
        awaitStatus(api, "/api/schedules", 200);
        long after = api.enqueue("""
                {"kind": "noop"}""");
        api.awaitJob(after, job -> job.get("state").asString().equals("completed"), Duration.ofSeconds(30));
    }

    private static void awaitStatus(ApiClient api, String path, int status) {
        Instant deadline = Instant.now().plusSeconds(20);
        Response response = api.get(path);
        while (response.status() != status && Instant.now().isBefore(deadline)) {
            response = api.get(path);
        }
        assertThat(response.status()).as("%s: %s", path, response.body()).isEqualTo(status);
    }
}
