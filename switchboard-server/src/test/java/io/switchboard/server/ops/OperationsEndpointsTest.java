package io.switchboard.server.ops;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperationsEndpointsTest extends ServerTestBase {
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
