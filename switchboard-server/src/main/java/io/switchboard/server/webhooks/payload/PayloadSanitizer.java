package io.switchboard.server.webhooks.payload;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The derived copy of an event's payload that handlers and the delivery log see: long strings (transcripts) cut
 * with a marker, binary-looking strings (long base64, data URIs) removed, large arrays and objects sampled with a
 * marker, nesting depth bounded. The raw body is never touched; this only builds a new tree.
 */
public final class PayloadSanitizer {
    /** Longest string kept whole; longer ones keep this many characters and a marker. */
    public static final int MAX_STRING = 4_096;
    /** Strings at least this long made only of base64 characters are treated as binary. */
    public static final int MIN_BINARY = 512;
    /** Items kept of an array; the rest is replaced by one marker item. */
    public static final int MAX_ARRAY_ITEMS = 50;
    /** Fields kept of an object; the rest is replaced by the field {@value #TRUNCATED_FIELD}. */
    public static final int MAX_OBJECT_FIELDS = 100;
    /** Containers nested deeper than this are replaced by a marker. */
    public static final int MAX_DEPTH = 12;
    /** The field that says how many fields of an object were left out. */
    public static final String TRUNCATED_FIELD = "_truncated";

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_=\\-\\r\\n]+");
    private static final Pattern DATA_URI = Pattern.compile("^data:[^,]{0,200};base64,", Pattern.CASE_INSENSITIVE);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PayloadSanitizer() {
    }

    /**
     * A sanitized copy of {@code payload}, or {@code payload} itself (the same instance) when it has nothing to
     * truncate, sample or remove; {@code payload} itself is never changed.
     */
    public static JsonNode sanitize(JsonNode payload) {
        Objects.requireNonNull(payload, "payload");
        if (isClean(payload, 0)) {
            return payload;
        }
        JsonNode sanitized = copy(payload, 0);
        return sanitized == null ? NODES.stringNode(binaryMarker(payload.asString())) : sanitized;
    }

    /** The sanitized node, or null for a binary-looking string that its container drops. */
    private static JsonNode copy(JsonNode node, int depth) {
        if (node.isObject()) {
            if (depth >= MAX_DEPTH) {
                return NODES.stringNode("[depth limit: object of " + node.size() + " fields removed]");
            }
            ObjectNode out = NODES.objectNode();
            int kept = 0;
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (kept == MAX_OBJECT_FIELDS) {
                    out.put(TRUNCATED_FIELD, (node.size() - kept) + " more fields");
                    break;
                }
                JsonNode value = copy(field.getValue(), depth + 1);
                if (value != null) {
                    out.set(field.getKey(), value);
                }
                kept++;
            }
            return out;
        }
        if (node.isArray()) {
            if (depth >= MAX_DEPTH) {
                return NODES.stringNode("[depth limit: array of " + node.size() + " items removed]");
            }
            ArrayNode out = NODES.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                if (i == MAX_ARRAY_ITEMS) {
                    out.add("[truncated: " + (node.size() - i) + " more items]");
                    break;
                }
                JsonNode value = copy(node.get(i), depth + 1);
                out.add(value == null ? NODES.stringNode(binaryMarker(node.get(i).asString())) : value);
            }
            return out;
        }
        if (node.isString()) {
            String text = node.asString();
            if (looksBinary(text)) {
                return null;
            }
            if (text.length() > MAX_STRING) {
                return NODES.stringNode(text.substring(0, MAX_STRING) + "…[truncated: " + (text.length() - MAX_STRING)
                        + " more characters]");
            }
            return node;
        }
        if (node.isBinary()) {
            return null;
        }
        return node.deepCopy();
    }

    /** Whether {@link #copy} would return an equal node: nothing too deep, too long, too many or binary. */
    private static boolean isClean(JsonNode node, int depth) {
        if (node.isObject() || node.isArray()) {
            if (depth >= MAX_DEPTH || node.size() > (node.isObject() ? MAX_OBJECT_FIELDS : MAX_ARRAY_ITEMS)) {
                return false;
            }
            for (JsonNode child : node.values()) {
                if (!isClean(child, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (node.isString()) {
            String text = node.asString();
            return text.length() <= MAX_STRING && !looksBinary(text);
        }
        return !node.isBinary();
    }

    private static boolean looksBinary(String text) {
        if (DATA_URI.matcher(text).lookingAt()) {
            return true;
        }
        return text.length() >= MIN_BINARY && text.indexOf(' ') < 0 && BASE64.matcher(text).matches();
    }

    private static String binaryMarker(String text) {
        return "[binary removed: " + text.length() + " characters]";
    }
}
