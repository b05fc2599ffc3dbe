package io.switchboard.server.webhooks.source;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.switchboard.server.webhooks.WebhookTestSupport.count;
import static io.switchboard.server.webhooks.WebhookTestSupport.organization;
import static org.assertj.core.api.Assertions.assertThat;

/** With an external database and no secret key, sources cannot be created: a clear 503, nothing written. */
class WebhookSecretKeyMissingTest extends ServerTestBase {
    @Test
    void creatingASourceWithoutASecretKeyIs503AndWritesNothing() {
        ApiClient org = organization(api, "Keyless " + UUID.randomUUID());
        Response response = org.post("/api/webhook-sources", """
                {"provider": "stripe", "name": "Keyless", "secrets": ["whsec_keyless_0123456789abcdef"]}""");
        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:webhook-secret-key-missing");
        assertThat(response.json().get("detail").asString()).contains("SWITCHBOARD_WEBHOOK_SECRET_KEY");
        assertThat(count(db, "SELECT count(*) FROM app.webhook_sources WHERE name = 'Keyless'")).isZero();
    }
}
