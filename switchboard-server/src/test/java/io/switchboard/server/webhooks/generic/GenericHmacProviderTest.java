package io.switchboard.server.webhooks.generic;

import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.switchboard.server.webhooks.Signing.NOW;
import static io.switchboard.server.webhooks.Signing.assertRejected;
import static io.switchboard.server.webhooks.Signing.base64;
import static io.switchboard.server.webhooks.Signing.context;
import static io.switchboard.server.webhooks.Signing.hmac;
import static io.switchboard.server.webhooks.Signing.hmacSha256Hex;
import static io.switchboard.server.webhooks.Signing.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenericHmacProviderTest {
    private static final String SECRET = "generic-secret";
    private static final String BODY = "{\"event\":{\"id\":\"e-1\",\"kind\":\"order.paid\"}}";
    private final GenericHmacProvider generic = new GenericHmacProvider();

    @Test
    void githubStyleHexWithPrefixAndConfiguredFields() {
        Map<String, String> options = Map.of("header", "X-Hub-Signature-256", "prefix", "sha256=",
                "id-field", "event.id", "type-field", "event.kind");
        ReceivedEvent event = generic.verify(request(BODY, Map.of("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(SECRET, BODY))),
                context(options, SECRET));
        assertThat(event.dedupeKey()).isEqualTo("e-1");
        assertThat(event.eventType()).isEqualTo("order.paid");
        assertRejected(generic, request(BODY, Map.of("X-Hub-Signature-256", hmacSha256Hex(SECRET, BODY))), context(options, SECRET),
                RejectionReason.MALFORMED_SIGNATURE);
    }

    @Test
    void base64Sha512WithTimestampAndBodyHashDedupe() {
        Map<String, String> options = Map.of("header", "X-Sig", "algorithm", "sha512", "encoding", "base64",
                "timestamp-header", "X-Ts");
        long t = NOW.getEpochSecond();
        String signature = base64(hmac("HmacSHA512", SECRET.getBytes(StandardCharsets.UTF_8), t + "." + BODY));
        ReceivedEvent event = generic.verify(request(BODY, Map.of("X-Sig", signature, "X-Ts", Long.toString(t))),
                context(options, SECRET));
        assertThat(event.dedupeKey()).startsWith("sha256:");
        assertThat(event.eventType()).isEqualTo("webhook");
        long old = t - 3600;
        String oldSignature = base64(hmac("HmacSHA512", SECRET.getBytes(StandardCharsets.UTF_8), old + "." + BODY));
        assertRejected(generic, request(BODY, Map.of("X-Sig", oldSignature, "X-Ts", Long.toString(old))), context(options, SECRET),
                RejectionReason.EXPIRED);
        assertRejected(generic, request(BODY, Map.of("X-Sig", signature, "X-Ts", Long.toString(t + 1))), context(options, SECRET),
                RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void tamperedMissingAndRotated() {
        Map<String, String> options = Map.of("header", "X-Signature");
        assertRejected(generic, request(BODY + " ", Map.of("X-Signature", hmacSha256Hex(SECRET, BODY))), context(options, SECRET),
                RejectionReason.BAD_SIGNATURE);
        assertRejected(generic, request(BODY, Map.of()), context(options, SECRET), RejectionReason.MISSING_SIGNATURE);
        assertThat(generic.verify(request(BODY, Map.of("X-Signature", hmacSha256Hex("older", BODY))), context(options, SECRET, "older"))
                .eventType()).isEqualTo("webhook");
    }

    @Test
    void sourceWithoutAHeaderOptionIsAConfigurationError() {
        assertThatThrownBy(() -> generic.verify(request(BODY, Map.of()), context(SECRET))).isInstanceOf(IllegalStateException.class);
    }
}
