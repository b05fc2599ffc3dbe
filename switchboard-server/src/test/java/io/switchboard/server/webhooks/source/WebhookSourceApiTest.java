package io.switchboard.server.webhooks.source;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static io.switchboard.server.webhooks.WebhookTestSupport.count;
import static io.switchboard.server.webhooks.WebhookTestSupport.created;
import static io.switchboard.server.webhooks.WebhookTestSupport.organization;
import static io.switchboard.server.webhooks.WebhookTestSupport.post;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeEvent;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeSignature;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/webhook-sources: what a source is made of, what is never shown, what is refused, and whose it is. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties =
        "switchboard.webhooks.secret-key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
class WebhookSourceApiTest extends ServerTestBase {
    static final String SECRET = "whsec_stripe_api_test_0123456789";

    ApiClient a;
    ApiClient b;

    @BeforeEach
    void twoOrganizations() {
        a = organization(api, "Acme " + UUID.randomUUID());
        b = organization(api, "Globex " + UUID.randomUUID());
    }

    @Test
    void createdSourceShowsItsIngestionPathAndSecretHintsButNeverTheSecret() {
        Response response = a.post("/api/webhook-sources", """
                {"provider": "stripe", "name": "Live Stripe", "secrets": ["%s"]}""".formatted(SECRET));
        JsonNode source = created(response);
        String id = source.get("id").asString();
        assertThat(response.header("Location")).isEqualTo("/api/webhook-sources/" + id);
        assertThat(source.get("ingestionPath").asString()).isEqualTo("/webhooks/stripe/" + id);
        assertThat(source.get("secrets")).hasSize(1);
        assertThat(source.get("secrets").get(0).get("hint").asString()).isEqualTo("...6789");
        assertThat(response.body()).doesNotContain(SECRET);
        assertThat(a.get("/api/webhook-sources").body()).contains(id).doesNotContain(SECRET);
        assertThat(a.get("/api/webhook-sources/" + id).body()).doesNotContain(SECRET);
    }

    @Test
    void secretsAreStoredEncryptedWithAFreshNonceEach() throws Exception {
        String id = created(a.post("/api/webhook-sources", """
                {"provider": "stripe", "name": "Twice", "secrets": ["%s"]}""".formatted(SECRET))).get("id").asString();
        created(a.post("/api/webhook-sources/" + id + "/secrets", """
                {"secret": "%s_2"}""".formatted(SECRET)));
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT ciphertext FROM app.webhook_source_secrets WHERE source_id = '" + id + "'")) {
            String plain = HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8));
            java.util.Set<String> nonces = new java.util.HashSet<>();
            int rows = 0;
            while (rs.next()) {
                byte[] stored = rs.getBytes(1);
                assertThat(HexFormat.of().formatHex(stored)).doesNotContain(plain.substring(0, 16));
                nonces.add(HexFormat.of().formatHex(stored, 0, 12));
                rows++;
            }
            assertThat(rows).isEqualTo(2);
            assertThat(nonces).hasSize(2);
        }
    }

    @Test
    void invalidSourcesAre400WithASpecificMessageAndWriteNothing() {
        assertInvalid("""
                {"provider": "paypal", "name": "x", "secrets": ["%s"]}""".formatted(SECRET), "unknown provider 'paypal'");
        assertInvalid("""
                {"provider": "stripe", "name": "", "secrets": ["%s"]}""".formatted(SECRET), "'name'");
        assertInvalid("""
                {"provider": "stripe", "name": "x", "secrets": []}""", "at least one secret");
        assertInvalid("""
                {"provider": "stripe", "name": "x", "secrets": ["short"]}""", "'secrets[0]' must be 16 to 512 characters");
        assertInvalid("""
                {"provider": "stripe", "name": "x", "secrets": ["%s"]}""".formatted("s".repeat(513)), "16 to 512");
        assertInvalid("""
                {"provider": "standard", "name": "x", "secrets": ["not-a-whsec-secret-at-all"]}""", "whsec_");
        assertInvalid("""
                {"provider": "generic", "name": "x", "secrets": ["%s"]}""".formatted(SECRET), "needs option 'header'");
        assertInvalid("""
                {"provider": "generic", "name": "x", "secrets": ["%s"], "options": {"header": "X-Sig", "algorithm": "md5"}}"""
                .formatted(SECRET), "option 'algorithm' must be one of");
        assertInvalid("""
                {"provider": "vapi", "name": "x", "secrets": ["%s"], "options": {"auth": "none"}}""".formatted(SECRET),
                "option 'auth'");
        assertInvalid("""
                {"provider": "stripe", "name": "x", "secrets": ["%1$s", "%1$s"]}""".formatted(SECRET), "same secret twice");
        assertThat(a.get("/api/webhook-sources").json().get("sources")).isEmpty();
        assertThat(count(db, "SELECT count(*) FROM app.webhook_source_secrets s JOIN app.webhook_sources w ON w.id = s.source_id "
                + "WHERE w.name = 'x'")).isZero();
    }

    @Test
    void aGenericSourceWithItsHeaderIsAccepted() {
        JsonNode source = created(a.post("/api/webhook-sources", """
                {"provider": "generic", "name": "Acme CRM", "secrets": ["%s"],
                 "options": {"header": "X-Acme-Signature", "encoding": "base64"}}""".formatted(SECRET)));
        assertThat(source.get("options").get("header").asString()).isEqualTo("X-Acme-Signature");
    }

    @Test
    void theLastActiveSecretCannotBeExpiredButAGracePeriodKeepsItWorking() {
        JsonNode source = created(a.post("/api/webhook-sources", """
                {"provider": "stripe", "name": "One", "secrets": ["%s"]}""".formatted(SECRET)));
        String id = source.get("id").asString();
        String secretId = source.get("secrets").get(0).get("id").asString();
        Response refused = a.delete("/api/webhook-sources/" + id + "/secrets/" + secretId);
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_source_secrets WHERE id = '" + secretId + "' AND expires_at IS NULL"))
                .isEqualTo(1);

        Response graced = a.delete("/api/webhook-sources/" + id + "/secrets/" + secretId + "?graceSeconds=3600");
        assertThat(graced.status()).as(graced.body()).isEqualTo(200);
        assertThat(graced.json().get("expiresAt").isNull()).isFalse();
        String body = stripeEvent("evt_grace");
        Response delivered = post(port, "/webhooks/stripe/" + id, body, Map.of("Content-Type", "application/json",
                "Stripe-Signature", stripeSignature(SECRET, java.time.Instant.now().getEpochSecond(), body)));
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
    }

    @Test
    void anotherOrganizationCannotListReadRotateExpireOrDisableASource() {
        JsonNode source = created(b.post("/api/webhook-sources", """
                {"provider": "stripe", "name": "Globex Stripe", "secrets": ["%s"]}""".formatted(SECRET)));
        String id = source.get("id").asString();
        String secretId = source.get("secrets").get(0).get("id").asString();
        String before = b.get("/api/webhook-sources/" + id).body();

        assertThat(a.get("/api/webhook-sources").body()).doesNotContain(id);
        assertNotFound(a.get("/api/webhook-sources/" + id));
        assertNotFound(a.post("/api/webhook-sources/" + id + "/secrets", """
                {"secret": "whsec_mallory_0123456789abcdef"}"""));
        assertNotFound(a.delete("/api/webhook-sources/" + id + "/secrets/" + secretId + "?graceSeconds=10"));
        assertNotFound(a.delete("/api/webhook-sources/" + id));

        assertThat(b.get("/api/webhook-sources/" + id).body()).isEqualTo(before);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_source_secrets WHERE source_id = '" + id + "'")).isEqualTo(1);
    }

    @Test
    void sourcesNeedOrgScopesAndAnOrganization() {
        Response noAuth = a.withToken(null).get("/api/webhook-sources");
        assertThat(noAuth.status()).isEqualTo(401);
        // The platform admin belongs to no organization.
        assertThat(api.get("/api/webhook-sources").status()).isEqualTo(403);
    }

    private void assertInvalid(String body, String message) {
        Response response = a.post("/api/webhook-sources", body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).contains(message);
        assertThat(response.body()).doesNotContain(SECRET);
    }

    private static void assertNotFound(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }
}
