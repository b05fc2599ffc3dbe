package io.switchboard.server.webhooks.ingest;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.switchboard.server.webhooks.Signing.hmacSha256Hex;
import static io.switchboard.server.webhooks.WebhookTestSupport.count;
import static io.switchboard.server.webhooks.WebhookTestSupport.dialpadJwt;
import static io.switchboard.server.webhooks.WebhookTestSupport.organization;
import static io.switchboard.server.webhooks.WebhookTestSupport.post;
import static io.switchboard.server.webhooks.WebhookTestSupport.send;
import static io.switchboard.server.webhooks.WebhookTestSupport.source;
import static io.switchboard.server.webhooks.WebhookTestSupport.standardSignature;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeEvent;
import static io.switchboard.server.webhooks.WebhookTestSupport.stripeSignature;
import static io.switchboard.server.webhooks.WebhookTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /webhooks/{provider}/{source} over real HTTP on a real database: what is stored, what is refused, and how. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.webhooks.secret-key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "switchboard.webhooks.max-body-size=64KB"})
class WebhookIngestionTest extends ServerTestBase {
    static final String STRIPE_SECRET = "whsec_stripe_test_0123456789abcdef";
    static final String CAL_SECRET = "cal-secret-0123456789";
    static final String DIALPAD_SECRET = "dialpad-shared-secret-0123";
    static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    ApiClient org;
    String stripe;

    @BeforeEach
    void organizationWithAStripeSource() {
        org = organization(api, "Acme " + UUID.randomUUID());
        stripe = source(org, "stripe", "[\"" + STRIPE_SECRET + "\"]", "{}");
    }

    @Test
    void signedStripeEventIsStoredOnceWithItsProcessingJob() {
        String body = stripeEvent("evt_stored");
        Response response = postStripe(stripe, body, stripeSignature(STRIPE_SECRET, now(), body));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("duplicate").asBoolean()).isFalse();
        long eventId = response.json().get("eventId").asLong();
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isEqualTo(1);
        assertThat(text(db, "SELECT dedupe_key || '|' || event_type || '|' || provider FROM app.webhook_events WHERE id = " + eventId))
                .isEqualTo("evt_stored|invoice.paid|stripe");
        // Its processing job may already have run (no handler for invoice.paid: completed as unhandled).
        assertThat(text(db, "SELECT status FROM app.webhook_event_log WHERE id = " + eventId)).isIn("pending", "processing", "completed");
        assertThat(text(db, "SELECT convert_from(body, 'UTF8') FROM app.webhook_events WHERE id = " + eventId)).isEqualTo(body);
        assertThat(text(db, "SELECT headers::text FROM app.webhook_events WHERE id = " + eventId))
                .contains("application/json").doesNotContainIgnoringCase("stripe-signature").doesNotContain("v1=");
        assertThat(text(db, """
                SELECT j.kind || '|' || j.queue FROM app.webhook_events e
                JOIN switchboard.jobs j ON j.id = e.job_id WHERE e.id = %d""".formatted(eventId)))
                .isEqualTo("webhook.process|webhooks");
        // A first copy's receipt is its event row: no receipt row of its own.
        assertThat(count(db, "SELECT count(*) FROM app.webhook_receipts WHERE event_id = " + eventId)).isZero();
    }

    @Test
    void signedCalComStandardAndDialpadEventsAreStored() {
        String cal = source(org, "calcom", "[\"" + CAL_SECRET + "\"]", "{}");
        String calBody = """
                {"triggerEvent":"BOOKING_CREATED","createdAt":"2026-11-22T11:59:30.000Z","payload":{"uid":"bk_1"}}""";
        assertStored(post(port, "/webhooks/calcom/" + cal, calBody, Map.of("Content-Type", "application/json",
                "X-Cal-Signature-256", hmacSha256Hex(CAL_SECRET, calBody))), cal);

        String standard = source(org, "standard", "[\"" + STANDARD_SECRET + "\"]", "{}");
        String stdBody = """
                {"type":"user.created","timestamp":"2026-11-22T12:00:00Z","data":{"id":"u_1"}}""";
        long t = now();
        assertStored(post(port, "/webhooks/standard/" + standard, stdBody, Map.of("Content-Type", "application/json",
                "webhook-id", "msg_1", "webhook-timestamp", Long.toString(t),
                "webhook-signature", standardSignature(STANDARD_SECRET, "msg_1", t, stdBody))), standard);
        assertThat(text(db, "SELECT headers->>'webhook-id' FROM app.webhook_events WHERE source_id = '" + standard + "'"))
                .isEqualTo("msg_1");
        assertThat(text(db, "SELECT headers::text FROM app.webhook_events WHERE source_id = '" + standard + "'"))
                .doesNotContain("webhook-signature");

        String dialpad = source(org, "dialpad", "[\"" + DIALPAD_SECRET + "\"]", "{}");
        String call = """
                {"call_id":5551234,"state":"hangup","direction":"inbound","event_timestamp":1795348790000}""";
        assertStored(post(port, "/webhooks/dialpad/" + dialpad, dialpadJwt(call, DIALPAD_SECRET),
                Map.of("Content-Type", "application/jwt")), dialpad);
        // A JWT's claims are not its body: Dialpad's payload is stored in its own column.
        assertThat(text(db, "SELECT payload->>'state' FROM app.webhook_events WHERE source_id = '" + dialpad + "'"))
                .isEqualTo("hangup");
        assertThat(text(db, "SELECT payload->>'state' FROM app.webhook_event_log WHERE source_id = '" + dialpad + "'"))
                .isEqualTo("hangup");
    }

    @Test
    void aPayloadThatIsTheBodyIsStoredOnceAndOneThatNeededSanitizingIsStoredSanitized() {
        long plainId = acceptedStripe(stripeEvent("evt_plain"));
        assertThat(text(db, "SELECT coalesce(payload::text, 'none') FROM app.webhook_events WHERE id = " + plainId))
                .isEqualTo("none");
        assertThat(text(db, "SELECT payload->>'id' || '|' || (payload->>'type') FROM app.webhook_event_log WHERE id = " + plainId))
                .isEqualTo("evt_plain|invoice.paid");

        String transcript = "word ".repeat(2_000);
        String longBody = """
                {"id":"evt_long","object":"event","type":"invoice.paid","created":%d,"data":{"object":{"transcript":"%s"}}}"""
                .formatted(now(), transcript);
        long longId = acceptedStripe(longBody);
        assertThat(text(db, "SELECT payload->'data'->'object'->>'transcript' FROM app.webhook_event_log WHERE id = " + longId))
                .endsWith("more characters]");
        assertThat(text(db, "SELECT length(convert_from(body, 'UTF8')) FROM app.webhook_events WHERE id = " + longId))
                .as("the raw body stays whole").isEqualTo(Integer.toString(longBody.length()));
    }

    @Test
    void aBodyWithUnicodeEscapesJsonbRefusesIsStoredWithItsPayloadAndReadable() {
        // Jackson takes a lone surrogate escape; PostgreSQL's jsonb does not, so this payload is not read from the body.
        String body = """
                {"id":"evt_surrogate","object":"event","type":"invoice.paid","created":1795867200,"data":{"object":{"name":"\\ud800 caf\\u00e9"}}}""";
        long id = acceptedStripe(body);
        assertThat(text(db, "SELECT (payload IS NOT NULL)::text FROM app.webhook_events WHERE id = " + id)).isEqualTo("true");
        assertThat(text(db, "SELECT payload->'data'->'object'->>'name' FROM app.webhook_event_log WHERE id = " + id))
                .endsWith("café");
        assertThat(text(db, "SELECT convert_from(body, 'UTF8') FROM app.webhook_events WHERE id = " + id)).isEqualTo(body);
    }

    @Test
    void tamperedExpiredMissingAndForeignSignaturesAre401AndRecordedWithoutStoringAnything() {
        String body = stripeEvent("evt_refused");
        String signature = stripeSignature(STRIPE_SECRET, now(), body);
        assertRefused(postStripe(stripe, body.replace("invoice.paid", "invoice.voided"), signature), 401, "bad-signature");
        assertRefused(postStripe(stripe, body, stripeSignature(STRIPE_SECRET, now() - 600, body)), 401, "expired");
        assertRefused(post(port, "/webhooks/stripe/" + stripe, body, Map.of("Content-Type", "application/json")), 401,
                "missing-signature");
        assertRefused(postStripe(stripe, body, stripeSignature("whsec_someone_elses_secret_000", now(), body)), 401, "bad-signature");

        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isZero();
        assertThat(count(db, "SELECT count(*) FROM app.webhook_rejections WHERE source_id = '" + stripe + "'")).isEqualTo(4);
        assertThat(text(db, "SELECT string_agg(reason, ',' ORDER BY id) FROM app.webhook_rejections WHERE source_id = '" + stripe + "'"))
                .isEqualTo("bad-signature,expired,missing-signature,bad-signature");
        assertThat(text(db, "SELECT string_agg(detail || coalesce(remote_address, '?'), '|') FROM app.webhook_rejections WHERE source_id = '" + stripe + "'"))
                .doesNotContain(STRIPE_SECRET).doesNotContain(signature.substring(signature.indexOf("v1=") + 3))
                .contains("127.0.0.1");
    }

    @Test
    void rotatedSecretsBothVerifyWhileActiveAndAnExpiredOneIsRefused() {
        String next = "whsec_stripe_next_fedcba9876543210";
        Response added = org.post("/api/webhook-sources/" + stripe + "/secrets", """
                {"secret": "%s"}""".formatted(next));
        assertThat(added.status()).as(added.body()).isEqualTo(201);

        String first = stripeEvent("evt_old_secret");
        assertThat(postStripe(stripe, first, stripeSignature(STRIPE_SECRET, now(), first)).status()).isEqualTo(200);
        String second = stripeEvent("evt_new_secret");
        assertThat(postStripe(stripe, second, stripeSignature(next, now(), second)).status()).isEqualTo(200);

        String oldId = org.get("/api/webhook-sources/" + stripe).json().get("secrets").get(0).get("id").asString();
        Response expired = org.delete("/api/webhook-sources/" + stripe + "/secrets/" + oldId);
        assertThat(expired.status()).as(expired.body()).isEqualTo(200);

        String third = stripeEvent("evt_after_rotation");
        assertRefused(postStripe(stripe, third, stripeSignature(STRIPE_SECRET, now(), third)), 401, "bad-signature");
        assertThat(postStripe(stripe, third, stripeSignature(next, now(), third)).status()).isEqualTo(200);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isEqualTo(3);
    }

    @Test
    void sameEventDeliveredFiftyTimesConcurrentlyIsStoredOnceWithOneJobAndFiftyReceipts() throws Exception {
        String body = stripeEvent("evt_burst");
        String signature = stripeSignature(STRIPE_SECRET, now(), body);
        List<Response> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(() -> postStripe(stripe, body, signature));
            }
            for (Future<Response> f : pool.invokeAll(calls)) {
                responses.add(f.get());
            }
        }
        assertThat(responses).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
        assertThat(responses.stream().map(r -> r.json().get("eventId").asLong()).distinct()).hasSize(1);
        assertThat(responses.stream().filter(r -> !r.json().get("duplicate").asBoolean())).hasSize(1);

        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isEqualTo(1);
        assertThat(count(db, """
                SELECT count(*) FROM switchboard.jobs j JOIN app.webhook_events e ON e.job_id = j.id
                WHERE j.kind = 'webhook.process' AND e.source_id = '%s'""".formatted(stripe)))
                .isEqualTo(1);
        // 50 accepted requests: the event row (the first copy) and 49 duplicate receipts.
        assertThat(count(db, "SELECT count(*) FROM app.webhook_receipts WHERE source_id = '" + stripe + "'")).isEqualTo(49);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_receipts WHERE source_id = '" + stripe + "' AND duplicate")).isEqualTo(49);
    }

    @Test
    void bodiesOverTheCapAre413WithOrWithoutContentLength() {
        String big = "{\"id\":\"evt_big\",\"type\":\"x\",\"pad\":\"" + "a".repeat(70 * 1024) + "\"}";
        assertRefused(postStripe(stripe, big, stripeSignature(STRIPE_SECRET, now(), big)), 413, "too-large");

        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/stripe/" + stripe))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", stripeSignature(STRIPE_SECRET, now(), big))
                // An input stream of unknown length is sent chunked, without Content-Length.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(bytes)))
                .build();
        assertRefused(send(chunked), 413, "too-large");
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isZero();
    }

    @Test
    void invalidUtf8DeepNestingNotJsonAndFormBodiesAre400AndStoreNothing() throws Exception {
        byte[] invalidUtf8 = "{\"id\":\"evt_utf\",\"type\":\"x\",\"name\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        String cal = source(org, "calcom", "[\"" + CAL_SECRET + "\"]", "{}");
        // Correctly signed, so the refusal is about the body itself.
        Response utf = post(port, "/webhooks/calcom/" + cal, invalidUtf8, Map.of("Content-Type", "application/json",
                "X-Cal-Signature-256", hmacHex(CAL_SECRET, invalidUtf8)));
        assertRefused(utf, 400, "malformed-body");

        String deep = "{\"triggerEvent\":\"BOOKING_CREATED\",\"payload\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
        assertRefused(postCal(cal, deep), 400, "malformed-body");
        assertRefused(postCal(cal, "BOOKING_CREATED but not JSON"), 400, "malformed-body");
        assertRefused(postCal(cal, "[1,2,3]"), 400, "malformed-body");
        String nul = "{\"triggerEvent\":\"BOOKING_CREATED\",\"payload\":{\"name\":\"a\\u0000b\"}}";
        assertRefused(postCal(cal, nul), 400, "malformed-body");

        String form = "triggerEvent=BOOKING_CREATED";
        assertRefused(post(port, "/webhooks/calcom/" + cal, form, Map.of("Content-Type", "application/x-www-form-urlencoded",
                "X-Cal-Signature-256", hmacSha256Hex(CAL_SECRET, form))), 400, "unsupported-media-type");

        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + cal + "'")).isZero();
        assertThat(count(db, "SELECT count(*) FROM app.webhook_rejections WHERE source_id = '" + cal + "'")).isEqualTo(6);
    }

    @Test
    void headerInjectionIsRefusedByTheHttpStackAndStoresNothing() throws Exception {
        String body = stripeEvent("evt_injected");
        String signature = stripeSignature(STRIPE_SECRET, now(), body);
        // A bare CR inside a header value, trying to smuggle a second header past the signature check.
        String raw = "POST /webhooks/stripe/" + stripe + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Stripe-Signature: " + signature + "\rX-Injected: 1\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 400");
        }
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isZero();
    }

    @Test
    void unknownMalformedMismatchedAndDisabledSourcesAre404() {
        String body = stripeEvent("evt_nowhere");
        String signature = stripeSignature(STRIPE_SECRET, now(), body);
        assertNotFound(postStripe(UUID.randomUUID().toString(), body, signature));
        assertNotFound(postStripe("not-a-uuid", body, signature));
        assertNotFound(post(port, "/webhooks/calcom/" + stripe, body, Map.of("Content-Type", "application/json",
                "X-Cal-Signature-256", hmacSha256Hex(STRIPE_SECRET, body))));
        assertNotFound(post(port, "/webhooks/nosuchprovider/" + stripe, body, Map.of("Content-Type", "application/json")));

        assertThat(org.delete("/api/webhook-sources/" + stripe).status()).isEqualTo(200);
        assertNotFound(postStripe(stripe, body, signature));
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isZero();
    }

    @Test
    void otherMethodsAndPathsBesideTheRouteAreProblemsAndStoreNothing() {
        Response get = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/stripe/" + stripe))
                .timeout(Duration.ofSeconds(30)).GET().build());
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.contentType()).startsWith("application/problem+json");
        assertThat(get.header("Allow")).isEqualTo("POST");

        String body = stripeEvent("evt_elsewhere");
        String signature = stripeSignature(STRIPE_SECRET, now(), body);
        for (String path : List.of("/webhooks/stripe", "/webhooks/stripe/", "/webhooks/stripe/" + stripe + "/extra",
                "/webhooks//" + stripe, "/webhooks/")) {
            Response response = post(port, path, body, Map.of("Content-Type", "application/json", "Stripe-Signature", signature));
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.contentType()).as(path).startsWith("application/problem+json");
        }
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe + "'")).isZero();

        // The request metrics name the route, not each source's path.
        assertThat(postStripe(stripe, body, signature).status()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus").body()).contains("uri=\"/webhooks/{provider}/{sourceId}\"");
    }

    @Test
    void metricsCountReceivedDuplicatesAndRejectionsByReason() {
        String body = stripeEvent("evt_metered");
        String signature = stripeSignature(STRIPE_SECRET, now(), body);
        assertThat(postStripe(stripe, body, signature).status()).isEqualTo(200);
        assertThat(postStripe(stripe, body, signature).status()).isEqualTo(200);
        assertThat(postStripe(stripe, body.replace("invoice", "charge"), signature).status()).isEqualTo(401);

        String metrics = api.get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("switchboard_webhooks_received_total\\{[^}]*provider=\"stripe\"[^}]*} [1-9]")
                .containsPattern("switchboard_webhooks_duplicates_total\\{[^}]*provider=\"stripe\"[^}]*} [1-9]")
                .containsPattern("switchboard_webhooks_rejected_total\\{[^}]*reason=\"bad-signature\"[^}]*} [1-9]")
                .contains("switchboard_webhooks_ingest_seconds_count{outcome=\"200\",provider=\"stripe\"");
    }

    private Response postStripe(String source, String body, String signature) {
        return post(port, "/webhooks/stripe/" + source, body, Map.of("Content-Type", "application/json",
                "Stripe-Signature", signature, "User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"));
    }

    private Response postCal(String source, String body) {
        return post(port, "/webhooks/calcom/" + source, body, Map.of("Content-Type", "application/json",
                "X-Cal-Signature-256", hmacSha256Hex(CAL_SECRET, body)));
    }

    /** Posts a signed Stripe event that must be accepted; its event id. */
    private long acceptedStripe(String body) {
        Response response = postStripe(stripe, body, stripeSignature(STRIPE_SECRET, now(), body));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("eventId").asLong();
    }

    private void assertStored(Response response, String source) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        long eventId = response.json().get("eventId").asLong();
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + source + "'")).isEqualTo(1);
        assertThat(count(db, """
                SELECT count(*) FROM app.webhook_events e JOIN switchboard.jobs j ON j.id = e.job_id
                WHERE e.id = %d AND j.kind = 'webhook.process'""".formatted(eventId))).isEqualTo(1);
    }

    private static void assertRefused(Response response, int status, String reason) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:webhook-" + reason);
    }

    private static void assertNotFound(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String hmacHex(String secret, byte[] body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }
}
