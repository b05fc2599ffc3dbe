package io.switchboard.server.webhooks;

import io.switchboard.server.webhooks.provider.InboundWebhook;
import io.switchboard.server.webhooks.provider.RejectionReason;
import io.switchboard.server.webhooks.provider.VerificationContext;
import io.switchboard.server.webhooks.provider.WebhookProvider;
import io.switchboard.server.webhooks.provider.WebhookRejectedException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signs test webhooks the way each provider documents it, written here independently of the production code so a
 * test does not check the implementation against itself.
 */
public final class Signing {
    public static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private Signing() {
    }

    public static byte[] hmac(String algorithm, byte[] key, String content) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static String hmacSha256Hex(String secret, String content) {
        return HexFormat.of().formatHex(hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), content));
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    public static InboundWebhook request(String body, Map<String, String> headers) {
        return InboundWebhook.of(headers, body.getBytes(StandardCharsets.UTF_8));
    }

    public static VerificationContext context(String... secrets) {
        return VerificationContext.of(List.of(secrets), Map.of(), NOW);
    }

    public static VerificationContext context(Map<String, String> options, String... secrets) {
        return VerificationContext.of(List.of(secrets), options, NOW);
    }

    public static void assertRejected(WebhookProvider provider, InboundWebhook request, VerificationContext context,
                                      RejectionReason reason) {
        assertThatThrownBy(() -> provider.verify(request, context))
                .isInstanceOfSatisfying(WebhookRejectedException.class, e -> org.assertj.core.api.Assertions
                        .assertThat(e.reason()).isEqualTo(reason));
    }
}
