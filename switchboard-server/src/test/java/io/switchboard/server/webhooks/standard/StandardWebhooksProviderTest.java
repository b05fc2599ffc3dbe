package io.switchboard.server.webhooks.standard;

import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.switchboard.server.webhooks.Signing.NOW;
import static io.switchboard.server.webhooks.Signing.assertRejected;
import static io.switchboard.server.webhooks.Signing.base64;
import static io.switchboard.server.webhooks.Signing.context;
import static io.switchboard.server.webhooks.Signing.hmac;
import static io.switchboard.server.webhooks.Signing.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StandardWebhooksProviderTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);
    private static final String BODY = "{\"type\":\"user.created\",\"timestamp\":\"2026-11-22T11:59:59Z\",\"data\":{\"id\":1}}";
    private final StandardWebhooksProvider standard = new StandardWebhooksProvider();

    private static Map<String, String> headers(String id, long seconds, String signatures) {
        return Map.of("webhook-id", id, "webhook-timestamp", Long.toString(seconds), "webhook-signature", signatures);
    }

    private static String sign(byte[] key, String id, long seconds, String body) {
        return "v1," + base64(hmac("HmacSHA256", key, id + "." + seconds + "." + body));
    }

    @Test
    void validSignatureYieldsTheMessageIdAndType() {
        long t = NOW.getEpochSecond();
        ReceivedEvent event = standard.verify(request(BODY, headers("msg_2x", t, sign(KEY, "msg_2x", t, BODY))), context(SECRET));
        assertThat(event.dedupeKey()).isEqualTo("msg_2x");
        assertThat(event.eventType()).isEqualTo("user.created");
        assertThat(event.occurredAt()).isEqualTo(NOW);
    }

    @Test
    void anyOfSeveralSignaturesMayMatch() {
        long t = NOW.getEpochSecond();
        String list = "v1,bm90LXRoaXMtb25l " + sign(KEY, "msg_2x", t, BODY) + " v2,ignored";
        assertThat(standard.verify(request(BODY, headers("msg_2x", t, list)), context(SECRET)).dedupeKey()).isEqualTo("msg_2x");
    }

    @Test
    void tamperedIdBodyOrTimestampIsRefused() {
        long t = NOW.getEpochSecond();
        String signature = sign(KEY, "msg_2x", t, BODY);
        assertRejected(standard, request(BODY, headers("msg_3x", t, signature)), context(SECRET), RejectionReason.BAD_SIGNATURE);
        assertRejected(standard, request(BODY.replace("created", "deleted"), headers("msg_2x", t, signature)), context(SECRET),
                RejectionReason.BAD_SIGNATURE);
        assertRejected(standard, request(BODY, headers("msg_2x", t + 1, signature)), context(SECRET), RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void expiredTimestampIsRefused() {
        long t = NOW.getEpochSecond() - 600;
        assertRejected(standard, request(BODY, headers("msg_2x", t, sign(KEY, "msg_2x", t, BODY))), context(SECRET),
                RejectionReason.EXPIRED);
    }

    @Test
    void rotatedSecretsBothVerify() {
        byte[] oldKey = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
        String old = "whsec_" + Base64.getEncoder().encodeToString(oldKey);
        long t = NOW.getEpochSecond();
        assertThat(standard.verify(request(BODY, headers("m", t, sign(oldKey, "m", t, BODY))), context(SECRET, old)).dedupeKey())
                .isEqualTo("m");
    }

    @Test
    void missingHeadersAndBadSecretsAreRefused() {
        assertRejected(standard, request(BODY, Map.of("webhook-id", "m")), context(SECRET), RejectionReason.MISSING_SIGNATURE);
        long t = NOW.getEpochSecond();
        assertRejected(standard, request(BODY, headers("m", t, "v1,%%%")), context(SECRET), RejectionReason.MALFORMED_SIGNATURE);
        assertThatThrownBy(() -> StandardWebhooksProvider.key("not-whsec")).isInstanceOf(IllegalArgumentException.class);
    }
}
