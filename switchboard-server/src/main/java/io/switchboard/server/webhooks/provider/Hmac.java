package io.switchboard.server.webhooks.provider;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/** HMAC signing and constant-time comparison, as every provider's signature scheme needs them. */
public final class Hmac {
    public static final String SHA256 = "HmacSHA256";

    private Hmac() {
    }

    /** The MAC of the concatenated {@code parts} under {@code key}. */
    public static byte[] sign(String algorithm, byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("HMAC algorithm " + algorithm + " is not available: " + e.getMessage(), e);
        }
    }

    /** HMAC-SHA256 of the parts under the UTF-8 bytes of {@code secret}. */
    public static byte[] sha256(String secret, byte[]... parts) {
        return sign(SHA256, utf8(secret), parts);
    }

    /**
     * Whether the MAC computed with any of the {@code secrets} equals one of the {@code presented} signatures. Each
     * comparison takes the same time whatever the bytes (a forger learns nothing from timing).
     */
    public static boolean anyMatches(List<String> secrets, Function<String, byte[]> macOf, List<byte[]> presented) {
        boolean match = false;
        for (String secret : secrets) {
            byte[] expected = macOf.apply(secret);
            for (byte[] candidate : presented) {
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        return match;
    }

    /** Constant-time equality of two secrets given as text (shared-secret headers). */
    public static boolean sameSecret(String expected, String presented) {
        return MessageDigest.isEqual(utf8(expected), utf8(presented));
    }

    /** Lower-case hex decoding; null when {@code hex} is not an even-length hex string. */
    public static byte[] fromHex(String hex) {
        if (hex == null || hex.isEmpty() || hex.length() % 2 != 0 || hex.length() > 1024) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Standard base64 decoding; null when not valid base64. */
    public static byte[] fromBase64(String base64) {
        if (base64 == null || base64.isEmpty() || base64.length() > 1024) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Hex SHA-256 of {@code bytes}: the dedupe key of providers that send no event id. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
