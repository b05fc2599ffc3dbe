package io.switchboard.server.webhooks;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.test.PostgresDatabase;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static io.switchboard.server.webhooks.Signing.base64;
import static io.switchboard.server.webhooks.Signing.base64Url;
import static io.switchboard.server.webhooks.Signing.hmac;
import static io.switchboard.server.webhooks.Signing.hmacSha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Organizations, sources and provider-signed requests for the webhook API tests, signed as each provider
 * documents it (independently of the production code).
 */
public final class WebhookTestSupport {
    /** A valid {@code switchboard.webhooks.secret-key} for tests. */
    public static final String SECRET_KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WebhookTestSupport() {
    }

    /** A new organization and a client with an org:read/org:write key of it. */
    public static ApiClient organization(ApiClient admin, String name) {
        String org = created(admin.post("/api/admin/orgs", """
                {"name": "%s"}""".formatted(name))).get("id").asString();
        String key = created(admin.post("/api/admin/orgs/" + org + "/api-keys", """
                {"name": "main", "scopes": ["org:read", "org:write"]}""")).get("key").asString();
        return admin.withToken(key);
    }

    public static JsonNode created(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    /** Creates a source and returns its id. */
    public static String source(ApiClient org, String provider, String secretsJson, String optionsJson) {
        return created(org.post("/api/webhook-sources", """
                {"provider": "%s", "name": "%s test", "secrets": %s, "options": %s}"""
                .formatted(provider, provider, secretsJson, optionsJson))).get("id").asString();
    }

    /** {@code Stripe-Signature} of {@code body} signed at {@code epochSeconds}. */
    public static String stripeSignature(String secret, long epochSeconds, String body) {
        return "t=" + epochSeconds + ",v1=" + hmacSha256Hex(secret, epochSeconds + "." + body);
    }

    public static String stripeEvent(String id) {
        return """
                {"id":"%s","object":"event","type":"invoice.paid","created":1795867200,"data":{"object":{"id":"in_1"}}}"""
                .formatted(id);
    }

    /** Standard Webhooks {@code webhook-signature} for a {@code whsec_} secret. */
    public static String standardSignature(String whsec, String id, long seconds, String body) {
        byte[] key = Base64.getDecoder().decode(whsec.substring("whsec_".length()));
        return "v1," + base64(hmac("HmacSHA256", key, id + "." + seconds + "." + body));
    }

    /** A Dialpad body: an HS256 JWT of the claims. */
    public static String dialpadJwt(String claims, String secret) {
        String input = base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + base64Url(claims);
        return input + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), input));
    }

    /** Posts raw bytes to the webhook endpoint, without API credentials. */
    public static Response post(int port, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    public static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = type.contains("json") && !response.body().isEmpty()
                    ? tools.jackson.databind.json.JsonMapper.builder().build().readTree(response.body()) : null;
            return new Response(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Response post(int port, String path, String body, Map<String, String> headers) {
        return post(port, path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A number from one SQL query over the test database. */
    public static long count(PostgresDatabase db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The plan PostgreSQL uses for {@code sql} (JDBC {@code ?} placeholders, each with a cast) once its plan cache has
     * switched to the generic plan, i.e. not knowing the parameters: what a pooled prepared statement runs after a
     * few executions.
     */
    public static String genericPlan(PostgresDatabase db, String sql) {
        StringBuilder numbered = new StringBuilder();
        int parameters = 0;
        for (char ch : sql.toCharArray()) {
            if (ch == '?') {
                numbered.append('$').append(++parameters);
            } else {
                numbered.append(ch);
            }
        }
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE plan_under_test AS " + numbered);
            String nulls = String.join(", ", java.util.Collections.nCopies(parameters, "NULL"));
            try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE plan_under_test" + (parameters == 0 ? "" : "(" + nulls + ")"))) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return plan.toString();
    }

    /** One text value from a query over the test database. */
    public static String text(PostgresDatabase db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
