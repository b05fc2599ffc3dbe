package io.switchboard.server.ops;

import io.switchboard.server.DatabaseOutageTestBase;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Liveness never depends on the database; readiness does, and on migrations and queue lag. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "switchboard.ops.readiness.max-queue-lag=1h")
class ProbesTest extends DatabaseOutageTestBase {
    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    @Test
    void bothProbesAreUpWhenAllIsWell() {
        Response readiness = api.get("/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(200);
        assertThat(readiness.json().get("components").get("migrations").get("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().get("components").get("queueLag").get("status").asString()).isEqualTo("UP");
        assertThat(api.get("/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void readinessIsDownAndLivenessUpWhileTheDatabaseIsUnreachable() {
        db.stopServer();
        try {
            Response readiness = api.get("/actuator/health/readiness");
            assertThat(readiness.status()).isEqualTo(503);
            assertThat(readiness.json().get("status").asString()).isEqualTo("DOWN");
            assertThat(readiness.json().get("components").get("db").get("status").asString()).isEqualTo("DOWN");

            Response liveness = api.get("/actuator/health/liveness");
            assertThat(liveness.status()).isEqualTo(200);
            assertThat(liveness.json().get("status").asString()).isEqualTo("UP");
        } finally {
            db.startServer();
        }
        awaitStatus("/actuator/health/readiness", 200);
    }

    @Test
    void readinessIsOutOfServiceWhileAnEngineMigrationIsNotApplied() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.saved_history AS SELECT * FROM switchboard.switchboard_schema_history WHERE version = '3'");
            s.execute("DELETE FROM switchboard.switchboard_schema_history WHERE version = '3'");
        }
        try {
            Response readiness = api.get("/actuator/health/readiness");
            assertThat(readiness.status()).isEqualTo(503);
            assertThat(readiness.json().get("status").asString()).isEqualTo("OUT_OF_SERVICE");
            assertThat(readiness.json().get("components").get("migrations").get("details").get("pending").toString())
                    .isEqualTo("[\"3\"]");
            assertThat(api.get("/actuator/health/liveness").status()).isEqualTo(200);
        } finally {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO switchboard.switchboard_schema_history SELECT * FROM public.saved_history");
                s.execute("DROP TABLE public.saved_history");
            }
        }
        assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void readinessIsOutOfServiceWhileAQueueLagsBeyondTheThreshold() throws Exception {
        long id;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            // A queue no worker of this instance runs, with a job waiting for two hours (threshold: 1h).
            var rs = s.executeQuery("""
                    INSERT INTO switchboard.jobs (queue, kind, args, state, run_at, max_attempts)
                    VALUES ('unworked', 'noop', '{}', 'available', now() - interval '2 hours', 1) RETURNING id""");
            rs.next();
            id = rs.getLong(1);
        }
        try {
            Response readiness = api.get("/actuator/health/readiness");
            assertThat(readiness.status()).isEqualTo(503);
            assertThat(readiness.json().get("status").asString()).isEqualTo("OUT_OF_SERVICE");
            assertThat(readiness.json().get("components").get("queueLag").get("details").get("lagging").has("unworked")).isTrue();
            assertThat(api.get("/actuator/health/liveness").status()).isEqualTo(200);
        } finally {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM switchboard.jobs WHERE id = " + id);
            }
        }
        assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void aQueueLaggingLessThanTheThresholdKeepsTheInstanceReady() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO switchboard.jobs (queue, kind, args, state, run_at, max_attempts)
                    VALUES ('unworked-2', 'noop', '{}', 'available', now() - interval '50 minutes', 1)""");
            assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
            s.execute("DELETE FROM switchboard.jobs WHERE queue = 'unworked-2'");
        }
    }

    private void awaitStatus(String path, int status) {
        Instant deadline = Instant.now().plusSeconds(20);
        Response response = api.get(path);
        while (response.status() != status && Instant.now().isBefore(deadline)) {
            response = api.get(path);
        }
        assertThat(response.status()).as("%s: %s", path, response.body()).isEqualTo(status);
    }
}
