package io.switchboard.server.webhooks.ingest;

import io.switchboard.db.DatabaseException;
import io.switchboard.server.database.DatabaseErrors;
import io.switchboard.server.http.Problems;
import io.switchboard.server.webhooks.payload.PayloadSanitizer;
import io.switchboard.server.webhooks.provider.InboundWebhook;
import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import io.switchboard.server.webhooks.provider.VerificationContext;
import io.switchboard.server.webhooks.provider.WebhookProvider;
import io.switchboard.server.webhooks.provider.WebhookProviders;
import io.switchboard.server.webhooks.provider.WebhookRejectedException;
import io.switchboard.server.webhooks.source.SourceErrors;
import io.switchboard.server.webhooks.source.WebhookSources.IngestionSource;
import io.switchboard.server.webhooks.source.WebhookSources;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /webhooks/{provider}/{sourceId}} (served by {@link WebhookIngestServlet}): outside /api, so no API authentication, rate limit or idempotency
 * filter; the provider's signature is the authentication. The answer is 200 only once the event is committed; a
 * refusal is a 4xx problem (recorded when the source is known); trouble on our side is a 5xx, 503 with
 * Retry-After when retrying later can succeed, because providers give up on a 4xx.
 */
class WebhookIngestController {
    private static final Logger log = LoggerFactory.getLogger(WebhookIngestController.class);
    /** Request headers kept with the event; signature headers never are. */
    static final Set<String> KEPT_HEADERS = Set.of("content-type", "user-agent", "webhook-id", "webhook-timestamp",
            "x-request-id");
    private static final int MAX_HEADER_VALUE = 500;
    private static final long COMMIT_WAIT_SECONDS = 30;

    private final WebhookProviders providers;
    private final WebhookSources sources;
    private final EventWriter writer;
    private final Rejections rejections;
    private final IngestMetrics metrics;
    private final JsonMapper json;
    private final long maxBodySize;

    WebhookIngestController(WebhookProviders providers, WebhookSources sources, EventWriter writer, Rejections rejections,
                            IngestMetrics metrics, JsonMapper json, long maxBodySize) {
        this.providers = providers;
        this.sources = sources;
        this.writer = writer;
        this.rejections = rejections;
        this.metrics = metrics;
        this.json = json;
        this.maxBodySize = maxBodySize;
    }

    /** Answers one delivery; {@link WebhookIngestServlet} writes the answer. */
    ResponseEntity<?> receive(String provider, String sourceId, HttpServletRequest request) {
        long start = System.nanoTime();
        Optional<WebhookProvider> found = providers.find(provider);
        // Only known provider names become metric tags.
        String tag = found.isPresent() ? provider : "unknown";
        ResponseEntity<?> response;
        try {
            response = receive(found, provider, sourceId, request);
        } catch (RuntimeException e) {
            if (e instanceof DatabaseException || DatabaseErrors.unreachable(e)) {
                log.warn("Webhook for source {} refused with 503: database unavailable: {}", Rejections.clean(sourceId, 40),
                        e.getMessage());
                response = Problems.databaseUnavailable("the database is unavailable; retry later");
            } else {
                log.error("Webhook for source {} failed", Rejections.clean(sourceId, 40), e);
                response = Problems.response(Problems.problem(HttpStatus.INTERNAL_SERVER_ERROR, Problems.INTERNAL_ERROR,
                        "Internal error", "the server failed to handle the webhook; the cause is in its log"));
            }
        }
        metrics.timed(tag, Integer.toString(response.getStatusCode().value()), start);
        return response;
    }

    private ResponseEntity<?> receive(Optional<WebhookProvider> found, String providerName, String sourceId,
                                      HttpServletRequest request) {
        UUID id = parse(sourceId);
        Optional<IngestionSource> known;
        try {
            known = id == null || found.isEmpty() ? Optional.empty() : sources.forIngestion(id);
        } catch (SourceErrors.SecretKeyMissingException e) {
            return unavailable("webhook-secret-key-missing", e.getMessage());
        }
        if (known.isEmpty() || known.get().disabled() || !known.get().provider().equals(providerName)) {
            return problem(HttpStatus.NOT_FOUND, "webhook-source-not-found", "Webhook source not found",
                    "no enabled " + (found.isPresent() ? providerName : "") + " webhook source with this id");
        }
        IngestionSource source = known.get();
        WebhookProvider provider = found.get();
        String remote = request.getRemoteAddr();

        String contentType = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        if (contentType.startsWith("multipart/") || contentType.startsWith("application/x-www-form-urlencoded")) {
            return refuse(source, HttpStatus.BAD_REQUEST, "unsupported-media-type",
                    "webhook bodies are JSON (or a provider's token), not " + Rejections.clean(contentType, 100), remote);
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBodySize) {
            return tooLarge(source, "Content-Length " + declared, remote);
        }
        byte[] body;
        try {
            body = readCapped(request.getInputStream());
        } catch (IOException e) {
            return problem(HttpStatus.BAD_REQUEST, "unreadable-body", "Unreadable body", "the request body could not be read");
        }
        if (body == null) {
            return tooLarge(source, "the body", remote);
        }

        Instant now = Instant.now();
        List<String> secrets = source.secretsAt(now);
        ReceivedEvent event;
        try {
            if (secrets.isEmpty()) {
                throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, "the source has no active secret");
            }
            event = provider.verify(new InboundWebhook(headers(request), body), VerificationContext.of(secrets, source.options(), now));
        } catch (WebhookRejectedException e) {
            return refuse(source, HttpStatus.valueOf(e.reason().status()), e.reason().code(), e.getMessage(), remote);
        }
        // A payload that is the body and needs no sanitizing is not stored twice: it is read from the body. Not when
        // the body has \\u escapes: jsonb refuses some that JSON parsers take (NUL, lone surrogates).
        JsonNode sanitized = PayloadSanitizer.sanitize(event.payload());
        boolean fromBody = provider.payloadIsBody() && sanitized == event.payload() && !containsUnicodeEscape(body);
        String payload = fromBody ? null : json.writeValueAsString(sanitized);
        if (payload != null && payload.contains("\\u0000")) {
            // PostgreSQL's jsonb cannot hold NUL characters; storing would fail on every retry.
            return refuse(source, HttpStatus.BAD_REQUEST, RejectionReason.MALFORMED_BODY.code(),
                    "the body contains NUL characters (\\u0000), which cannot be stored", remote);
        }

        EventWriter.Stored stored;
        try {
            stored = writer.submit(new EventWriter.NewEvent(source.orgId(), source.id(), provider.name(), event.dedupeKey(),
                    event.eventType(), event.occurredAt(), json.writeValueAsString(keptHeaders(request)), body, payload))
                    .get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            log.warn("Webhook event of source {} not stored: {}", source.id(), e.getCause().getMessage());
            return Problems.databaseUnavailable("the event could not be stored now; retry later");
        } catch (TimeoutException e) {
            return Problems.databaseUnavailable("the event was not stored within " + COMMIT_WAIT_SECONDS + " s; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Problems.databaseUnavailable("the server is shutting down; retry later");
        }
        metrics.received(provider.name(), stored.duplicate());
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(new Acknowledged(stored.eventId(), stored.duplicate()));
    }

    /**
     * The answer to a stored delivery: {@code {"eventId":<id>,"duplicate":<bool>}}, the id of the stored event (the
     * first copy's when this was a duplicate).
     */
    record Acknowledged(long eventId, boolean duplicate) {
        /** This answer as JSON, written without a mapper: it is sent for every event. */
        byte[] json() {
            return ("{\"eventId\":" + eventId + ",\"duplicate\":" + duplicate + "}").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Whether the JSON text holds a {@code \\u} escape (or a backslash before a {@code u}). */
    private static boolean containsUnicodeEscape(byte[] body) {
        for (int i = 0; i + 1 < body.length; i++) {
            if (body[i] == '\\' && body[i + 1] == 'u') {
                return true;
            }
        }
        return false;
    }

    /** The body, or null once it exceeds the cap (also when sent chunked, without a Content-Length). */
    private byte[] readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[8192];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) != -1) {
            total += read;
            if (total > maxBodySize) {
                return null;
            }
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    private static Map<String, String> keptHeaders(HttpServletRequest request) {
        Map<String, String> kept = new TreeMap<>();
        for (String name : KEPT_HEADERS) {
            String value = request.getHeader(name);
            if (value != null) {
                kept.put(name, Rejections.clean(value, MAX_HEADER_VALUE));
            }
        }
        return kept;
    }

    private ResponseEntity<ProblemDetail> tooLarge(IngestionSource source, String what, String remote) {
        return refuse(source, HttpStatus.CONTENT_TOO_LARGE, "too-large", what + " exceeds the limit of " + maxBodySize
                + " bytes", remote);
    }

    private ResponseEntity<ProblemDetail> refuse(IngestionSource source, HttpStatus status, String reason, String detail,
                                                 String remote) {
        rejections.record(source.orgId(), source.id(), reason, detail, remote);
        metrics.rejected(source.provider(), reason);
        return problem(status, "webhook-" + reason, "Webhook refused", Rejections.clean(detail, Rejections.MAX_DETAIL));
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String type, String title, String detail) {
        return Problems.response(Problems.problem(status, type, title, detail));
    }

    private static ResponseEntity<ProblemDetail> unavailable(String type, String detail) {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.set(org.springframework.http.HttpHeaders.RETRY_AFTER, Integer.toString(Problems.RETRY_AFTER_SECONDS));
        return Problems.response(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, type, "Service unavailable", detail), headers);
    }

    private static UUID parse(String id) {
        if (id.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
