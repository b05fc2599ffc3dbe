package io.switchboard.server.webhooks.ingest;

import io.switchboard.server.DatabaseOutageTestBase;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.switchboard.server.webhooks.WebhookTestSupport.count;
import static io.switchboard.server.webhooks.WebhookTestSupport.organization;
import static io.switchboard.server.webhooks.WebhookTestSupport.post;
import static io.switchboard.server.webhooks.WebhookTestSupport.source;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeEvent;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeSignature;
import static org.assertj.core.api.Assertions.assertThat;

/** While the database is down a webhook gets 503 with Retry-After, never a 4xx; the provider's retry is stored. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties =
        "switchboard.webhooks.secret-key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
class WebhookDatabaseOutageTest extends DatabaseOutageTestBase {
    static final String SECRET = "whsec_outage_test_0123456789";

    @Test
    void webhooksDuringAnOutageGet503WithRetryAfterAndTheRetryIsStored() {
        ApiClient org = organization(ServerTests.adminClient(context, port), "Outage " + UUID.randomUUID());
        String known = source(org, "stripe", "[\"" + SECRET + "\"]", "{}");
        String body = stripeEvent("evt_outage");
        assertThat(deliver(known, stripeEvent("evt_before")).status()).isEqualTo(200);

        db.stopServer();
        try {
            // The source is known (cached) but the event cannot be committed.
            assertUnavailable(deliver(known, body));
            // The source itself cannot be looked up.
            assertUnavailable(deliver(UUID.randomUUID().toString(), body));
        } finally {
            db.startServer();
        }

        Instant deadline = Instant.now().plusSeconds(20);
        Response retried = deliver(known, body);
        while (retried.status() == 503 && Instant.now().isBefore(deadline)) {
            retried = deliver(known, body);
        }
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().get("duplicate").asBoolean()).isFalse();
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + known + "'")).isEqualTo(2);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_rejections")).isZero();
    }

    private Response deliver(String source, String body) {
        return post(port, "/webhooks/stripe/" + source, body, Map.of("Content-Type", "application/json",
                "Stripe-Signature", stripeSignature(SECRET, Instant.now().getEpochSecond(), body)));
    }

    private static void assertUnavailable(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("5");
        assertThat(response.contentType()).startsWith("application/problem+json");
    }
}
