package io.switchboard.server.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Predicate;

/**
 * What one NOTIFY on {@value #CHANNEL} says: drop one key of a cache, or all of it. PostgreSQL caps a payload at
 * 8000 bytes, so a key longer than {@value #MAX_PLAIN_KEY_BYTES} bytes travels as its SHA-256 and receivers drop
 * every key with that hash. Payloads: {@code key:<cache>:<key>}, {@code hash:<cache>:<hex>}, {@code all:<cache>}.
 *
 * @param cache the cache's name
 * @param key   the key, its {@code sha256} hex when {@code hashed}, or null for the whole cache
 * @param hashed whether {@code key} is a hash
 */
record Invalidation(String cache, String key, boolean hashed) {
    static final String CHANNEL = "switchboard_cache";
    static final int MAX_PLAIN_KEY_BYTES = 1000;

    static Invalidation ofKey(String cache, String key) {
        return key.getBytes(StandardCharsets.UTF_8).length > MAX_PLAIN_KEY_BYTES
                ? new Invalidation(cache, sha256(key), true)
                : new Invalidation(cache, key, false);
    }

    static Invalidation ofAll(String cache) {
        return new Invalidation(cache, null, false);
    }

    String payload() {
        if (key == null) {
            return "all:" + cache;
        }
        return (hashed ? "hash:" : "key:") + cache + ":" + key;
    }

    /** The invalidation a payload describes, or null for a payload this version does not understand. */
    static Invalidation parse(String payload) {
        String[] parts = payload.split(":", 3);
        return switch (parts[0]) {
            case "all" -> parts.length == 2 ? ofAll(parts[1]) : null;
            case "key" -> parts.length == 3 ? new Invalidation(parts[1], parts[2], false) : null;
            case "hash" -> parts.length == 3 ? new Invalidation(parts[1], parts[2], true) : null;
            default -> null;
        };
    }

    /** Which keys of the cache this invalidation drops. */
    Predicate<String> keys() {
        if (key == null) {
            return k -> true;
        }
        return hashed
                ? k -> k.getBytes(StandardCharsets.UTF_8).length > MAX_PLAIN_KEY_BYTES && key.equals(sha256(k))
                : key::equals;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
