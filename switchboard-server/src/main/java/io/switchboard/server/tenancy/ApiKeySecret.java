package io.switchboard.server.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An API key in its one recognisable format, {@code sb_<prefix>_<secret>}: the 12-hex-digit prefix is stored in
 * clear for lookup and display, the whole key only as its SHA-256.
 */
record ApiKeySecret(String prefix, String key) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("sb_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");

    @Override
    public String toString() {
        return "ApiKeySecret[prefix=" + prefix + "]"; // never the key itself
    }

    static ApiKeySecret generate() {
        byte[] prefix = new byte[6];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(prefix);
        RANDOM.nextBytes(secret);
        String hexPrefix = HexFormat.of().formatHex(prefix);
        return new ApiKeySecret(hexPrefix, "sb_" + hexPrefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The key if {@code token} has the API-key format, else {@code null} (then it may be a JWT). */
    static ApiKeySecret parse(String token) {
        var matcher = FORMAT.matcher(token);
        return matcher.matches() ? new ApiKeySecret(matcher.group(1), token) : null;
    }

    static boolean looksLikeApiKey(String token) {
        return token.startsWith("sb_");
    }

    byte[] hash() {
        return sha256(key);
    }

    /** Constant-time comparison with a stored hash. */
    boolean matches(byte[] storedHash) {
        return MessageDigest.isEqual(hash(), storedHash);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
