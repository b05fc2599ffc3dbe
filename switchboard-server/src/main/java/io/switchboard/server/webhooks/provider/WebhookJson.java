package io.switchboard.server.webhooks.provider;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads webhook bodies as JSON, refusing what a provider never sends and a hostile sender might: invalid UTF-8,
 * nesting deeper than {@value #MAX_DEPTH}, duplicate keys (which copy of {@code "id"} would count?), trailing
 * content, documents that are not objects.
 */
public final class WebhookJson {
    public static final int MAX_DEPTH = 64;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    private WebhookJson() {
    }

    /** The body as a JSON object. */
    public static JsonNode object(byte[] body) {
        return object(utf8(body));
    }

    /** {@code text} as a JSON object. */
    public static JsonNode object(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY, "the body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY, "the body is not a JSON object");
        }
        return node;
    }

    /** The body decoded as strict UTF-8. */
    public static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY, "the body is not valid UTF-8");
        }
    }

    /** The text at a path of object fields, or null when absent or not a scalar. */
    public static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String field : path) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(field);
        }
        if (current == null || current.isNull() || current.isContainer()) {
            return null;
        }
        return current.asString();
    }

    /** The text at a path, which the event must have. */
    public static String requiredText(JsonNode node, String... path) {
        String value = text(node, path);
        if (value == null || value.isBlank()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY, "the event has no " + String.join(".", path));
        }
        return value;
    }

    /** An ISO-8601 instant at a path, or null when absent or unreadable (only informative). */
    public static Instant isoInstant(JsonNode node, String... path) {
        String value = text(node, path);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Epoch seconds or milliseconds at a path, or null when absent or not a number. */
    public static Instant epoch(JsonNode node, boolean millis, String... path) {
        String value = text(node, path);
        if (value == null) {
            return null;
        }
        try {
            long n = Long.parseLong(value);
            return millis ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return null;
        }
    }
}
