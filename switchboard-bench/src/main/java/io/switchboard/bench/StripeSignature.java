package io.switchboard.bench;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Stripe's webhook signature as Stripe documents it: {@code Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256>}
 * over {@code t + "." + raw body}, keyed with the whole secret string. The bench signs with it, and the baseline
 * server verifies with it so that both systems do the same cryptographic work per request.
 */
final class StripeSignature {
    static final long TOLERANCE_SECONDS = 300;

    private StripeSignature() {
    }

    /** The header value for {@code body} signed at {@code timestamp} (unix seconds). */
    static String sign(String secret, long timestamp, byte[] body) {
        return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(hmac(secret, timestamp, body));
    }

    /** Whether {@code header} carries a valid v1 signature of {@code body} within the tolerance of {@code now}. */
    static boolean verify(String secret, String header, byte[] body, long now) {
        if (header == null) {
            return false;
        }
        long timestamp = -1;
        byte[] expected = null;
        boolean valid = false;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                try {
                    timestamp = Long.parseLong(part.substring(2));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        if (timestamp < 0 || Math.abs(now - timestamp) > TOLERANCE_SECONDS) {
            return false;
        }
        for (String part : header.split(",")) {
            if (part.startsWith("v1=")) {
                if (expected == null) {
                    expected = hmac(secret, timestamp, body);
                }
                byte[] given;
                try {
                    given = HexFormat.of().parseHex(part.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                valid |= MessageDigest.isEqual(expected, given);
            }
        }
        return valid;
    }

    private static byte[] hmac(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
