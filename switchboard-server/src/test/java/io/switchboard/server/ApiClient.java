package io.switchboard.server;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.fail;

/**
 * Real HTTP calls against a running server, with JSON bodies, sent with {@code Authorization: Bearer <token>} when
 * the client has a token. Every POST carries a random {@code Idempotency-Key} (required on some endpoints).
 */
public final class ApiClient {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String token;

    /** A client without credentials. */
    public ApiClient(int port) {
        this(port, null);
    }

    /** A client that authenticates with {@code token} (an API key or a JWT). */
    public ApiClient(int port, String token) {
        this.baseUrl = "http://127.0.0.1:" + port;
        this.token = token;
    }

    private ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** The same server with another credential ({@code null}: none). */
    public ApiClient withToken(String otherToken) {
        return new ApiClient(baseUrl, otherToken);
    }

    /** A response, its body parsed as JSON when it is JSON. */
    public record Response(int status, HttpResponse<String> raw, JsonNode json) {
        public String contentType() {
            return raw.headers().firstValue("Content-Type").orElse("");
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String body() {
            return raw.body();
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Response post(String path, String jsonBody) {
        return send("POST", path, jsonBody);
    }

    public Response patch(String path, String jsonBody) {
        return send("PATCH", path, jsonBody);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /** A request with a JSON body (or none) and extra headers given as name, value, name, value, ... */
    public Response send(String method, String path, String jsonBody, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        if (method.equals("POST")) {
            request.header("Idempotency-Key", UUID.randomUUID().toString());
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** A request with a JSON body (or none) and extra headers. */
    public Response request(String method, String path, String jsonBody, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        headers.forEach(request::header);
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        return send(request);
    }

    /** Enqueues a job and returns its id, failing the test unless the server answered 201. */
    public long enqueue(String jsonBody) {
        Response response = post("/api/jobs", jsonBody);
        if (response.status() != 201) {
            fail("expected 201 for " + jsonBody + " but got " + response.status() + ": " + response.body());
        }
        return response.json().get("id").asLong();
    }

    /** Polls the job until {@code condition} holds, failing the test after {@code timeout}. */
    public JsonNode awaitJob(long id, Predicate<JsonNode> condition, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode job;
        do {
            job = get("/api/jobs/" + id).json();
            if (condition.test(job)) {
                return job;
            }
            sleep(25);
        } while (Instant.now().isBefore(deadline));
        return fail("job " + id + " did not reach the expected condition within " + timeout + "; last seen: " + job);
    }

    /** Polls the job until it is in one of {@code states}. */
    public JsonNode awaitState(long id, String... states) {
        Set<String> wanted = Set.of(states);
        return awaitJob(id, job -> wanted.contains(job.get("state").asString()), Duration.ofSeconds(20));
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private Response send(HttpRequest.Builder request) {
        try {
            if (token != null) {
                request.setHeader("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = type.contains("json") && !response.body().isEmpty() ? JSON.readTree(response.body()) : null;
            return new Response(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
