package io.switchboard.server.webhooks.payload;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadSanitizerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void smallPayloadIsKeptAsIs() {
        JsonNode payload = JSON.readTree("""
                {"id": "evt_1", "amount": 1200, "paid": true, "tags": ["a", "b"], "customer": {"name": "Ada"}, "note": null}""");
        assertThat(PayloadSanitizer.sanitize(payload)).isSameAs(payload);
    }

    @Test
    void longTranscriptIsTruncatedWithAMarkerAndTheOriginalIsUntouched() {
        String transcript = "hello there ".repeat(2_000);
        ObjectNode payload = JSON.createObjectNode().put("transcript", transcript);
        String before = payload.toString();

        String sanitized = PayloadSanitizer.sanitize(payload).get("transcript").asString();

        assertThat(sanitized).startsWith(transcript.substring(0, PayloadSanitizer.MAX_STRING))
                .endsWith("…[truncated: " + (transcript.length() - PayloadSanitizer.MAX_STRING) + " more characters]");
        assertThat(payload.toString()).isEqualTo(before);
    }

    @Test
    void binaryLookingFieldsAreRemoved() {
        byte[] bytes = new byte[3_000];
        new Random(7).nextBytes(bytes);
        String base64 = Base64.getEncoder().encodeToString(bytes);
        ObjectNode payload = JSON.createObjectNode().put("id", "x").put("recording", base64)
                .put("image", "data:image/png;base64,iVBORw0KGgo=");
        payload.putArray("chunks").add(base64).add("short");

        JsonNode sanitized = PayloadSanitizer.sanitize(payload);

        assertThat(sanitized.has("recording")).isFalse();
        assertThat(sanitized.has("image")).isFalse();
        assertThat(sanitized.get("id").asString()).isEqualTo("x");
        assertThat(sanitized.get("chunks").get(0).asString()).isEqualTo("[binary removed: " + base64.length() + " characters]");
        assertThat(sanitized.get("chunks").get(1).asString()).isEqualTo("short");
    }

    @Test
    void longProseWithoutSpacesIsNotMistakenForBinaryWhenItHasPunctuation() {
        String url = "https://example.com/" + "a.b-c/".repeat(200);
        JsonNode sanitized = PayloadSanitizer.sanitize(JSON.createObjectNode().put("url", url));
        assertThat(sanitized.get("url").asString()).isEqualTo(url);
    }

    @Test
    void largeArraysAreSampledWithATruncationMarker() {
        ArrayNode items = JSON.createArrayNode();
        for (int i = 0; i < 500; i++) {
            items.add(i);
        }
        JsonNode sanitized = PayloadSanitizer.sanitize(JSON.createObjectNode().set("items", items)).get("items");

        assertThat(sanitized.size()).isEqualTo(PayloadSanitizer.MAX_ARRAY_ITEMS + 1);
        assertThat(sanitized.get(0).asInt()).isZero();
        assertThat(sanitized.get(PayloadSanitizer.MAX_ARRAY_ITEMS).asString()).isEqualTo("[truncated: 450 more items]");
    }

    @Test
    void largeObjectsAreSampledWithATruncationField() {
        ObjectNode metadata = JSON.createObjectNode();
        for (int i = 0; i < 300; i++) {
            metadata.put("k" + i, i);
        }
        JsonNode sanitized = PayloadSanitizer.sanitize(metadata);

        assertThat(sanitized.size()).isEqualTo(PayloadSanitizer.MAX_OBJECT_FIELDS + 1);
        assertThat(sanitized.get("k0").asInt()).isZero();
        assertThat(sanitized.get(PayloadSanitizer.TRUNCATED_FIELD).asString()).isEqualTo("200 more fields");
    }

    @Test
    void nestingDeeperThanTheBoundIsReplacedByAMarker() {
        JsonNode deep = JSON.readTree("[".repeat(200) + "1" + "]".repeat(200));

        JsonNode sanitized = PayloadSanitizer.sanitize(deep);

        JsonNode node = sanitized;
        int depth = 0;
        while (node.isArray()) {
            node = node.get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(PayloadSanitizer.MAX_DEPTH);
        assertThat(node.asString()).isEqualTo("[depth limit: array of 1 items removed]");
    }

    @Test
    void nullPayloadIsRefused() {
        assertThatThrownBy(() -> PayloadSanitizer.sanitize(null)).isInstanceOf(NullPointerException.class);
    }
}
