package io.switchboard.server.cluster;

import io.switchboard.Switchboard;
import io.switchboard.lock.Lease;
import io.switchboard.lock.LeaseOptions;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "switchboard.jobs.instance-id=web-test-1")
class ClusterApiTest extends ServerTestBase {
    @Autowired
    Switchboard switchboard;

    @Test
    void leaseTakenThroughTheCoreIsListedWithItsFencingTokenUntilReleased() {
        Lease lease = switchboard.leases().tryAcquire("reports:nightly", LeaseOptions.keptAlive(Duration.ofSeconds(30)))
                .orElseThrow();
        try {
            Response leases = api.get("/api/leases");

            assertThat(leases.status()).isEqualTo(200);
            JsonNode held = find(leases.json().get("leases"), "name", "reports:nightly");
            assertThat(held).as("lease in %s", leases.body()).isNotNull();
            assertThat(held.get("fencingToken").asLong()).isEqualTo(lease.fencingToken());
            assertThat(held.get("instanceId").asString()).isEqualTo("web-test-1");
            assertThat(held.get("holder").asString()).startsWith("web-test-1/");
            assertThat(Instant.parse(held.get("expiresAt").asString())).isAfter(Instant.now());
            assertThat(held.get("acquiredAt").asString()).endsWith("Z");
            assertThat(held.get("renewedAt").asString()).endsWith("Z");

            JsonNode self = find(api.get("/api/instances").json().get("instances"), "id", "web-test-1");
            assertThat(self.get("leases").toString()).contains("reports:nightly");
        } finally {
            lease.release();
        }

        assertThat(find(api.get("/api/leases").json().get("leases"), "name", "reports:nightly")).isNull();
    }

    @Test
    void instancesShowThisInstanceAlive() {
        Response selfId = api.get("/api/instances/self");
        assertThat(selfId.status()).isEqualTo(200);
        assertThat(selfId.json().get("id").asString()).isEqualTo("web-test-1").isEqualTo(switchboard.instanceId());

        Response instances = api.get("/api/instances");

        assertThat(instances.status()).isEqualTo(200);
        JsonNode self = find(instances.json().get("instances"), "id", "web-test-1");
        assertThat(self).as("this instance in %s", instances.body()).isNotNull();
        assertThat(self.get("alive").asBoolean()).isTrue();
        assertThat(self.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(self.get("hostname").asString()).isNotBlank();
        assertThat(self.get("stoppedAt").isNull()).isTrue();
        assertThat(self.get("startedAt").asString()).endsWith("Z");
        assertThat(self.get("heartbeatAt").asString()).endsWith("Z");
        assertThat(self.get("runningJobs").isArray()).isTrue();
        assertThat(self.get("leases").isArray()).isTrue();
    }

    @Test
    void prometheusShowsLeaseAndInstanceGauges() {
        String scrape = api.get("/actuator/prometheus").body();

        // Refreshed when the server started, after this instance registered; alone on its database.
        assertThat(scrape).contains("switchboard_instances_alive 1.0").containsPattern("switchboard_leases_held \\d");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (node.get(field).asString().equals(value)) {
                return node;
            }
        }
        return null;
    }
}
