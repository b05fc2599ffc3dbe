package io.switchboard.server.ops;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTests;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class OperationsEndpointsTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", db::jdbcUrl);
    }

    @AfterAll
    static void stopWorkersBeforeTheDatabaseGoesAway(ApplicationContext context) {
        ServerTests.stopWorkers(context);
    }

    @LocalServerPort
    int port;

    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    @Test
    void healthIsUpWithTheDatabaseChecked() {
        Response health = api.get("/actuator/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(health.json().get("components").get("db").get("status").asString()).isEqualTo("UP");
    }

    @Test
    void prometheusEndpointShowsJobMetrics() {
        long id = api.enqueue("""
                {"kind": "log", "args": {"message": "counted"}}""");
        api.awaitState(id, "completed");

        Response scrape = api.get("/actuator/prometheus");

        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.body())
                .contains("switchboard_jobs_enqueued_total{kind=\"log\",queue=\"default\"}")
                .contains("switchboard_jobs_completed_total{kind=\"log\",queue=\"default\"}")
                .contains("switchboard_jobs_duration_seconds")
                .contains("hikaricp_connections");
    }
}
