package io.switchboard.server.webhooks.vapi;

import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.switchboard.server.webhooks.Signing.NOW;
import static io.switchboard.server.webhooks.Signing.assertRejected;
import static io.switchboard.server.webhooks.Signing.context;
import static io.switchboard.server.webhooks.Signing.hmacSha256Hex;
import static io.switchboard.server.webhooks.Signing.request;
import static org.assertj.core.api.Assertions.assertThat;

class VapiProviderTest {
    private static final String SECRET = "vapi-secret-xyz";
    private static final String STATUS = """
            {"message":{"type":"status-update","status":"ended","call":{"id":"call_77"},"timestamp":1795348795000}}""";
    private static final String TRANSCRIPT = """
            {"message":{"type":"transcript","role":"user","transcript":"hello","call":{"id":"call_77"},"timestamp":%d}}""";
    private final VapiProvider vapi = new VapiProvider();

    @Test
    void sharedSecretHeaderAuthenticatesAndStatusMessagesAreKeyedByCallTypeAndStatus() {
        ReceivedEvent event = vapi.verify(request(STATUS, Map.of("x-vapi-secret", SECRET)), context(SECRET));
        assertThat(event.dedupeKey()).isEqualTo("call:call_77:status-update:ended");
        assertThat(event.eventType()).isEqualTo("status-update");
        assertThat(event.occurredAt()).hasToString("2026-11-22T11:59:55Z");
    }

    @Test
    void wrongOrMissingSharedSecretIsRefused() {
        assertRejected(vapi, request(STATUS, Map.of("x-vapi-secret", "vapi-secret-xy")), context(SECRET), RejectionReason.BAD_SIGNATURE);
        assertRejected(vapi, request(STATUS, Map.of()), context(SECRET), RejectionReason.MISSING_SIGNATURE);
    }

    @Test
    void customSecretHeaderAndRotatedSecrets() {
        Map<String, String> options = Map.of("header", "Authorization-Token");
        assertThat(vapi.verify(request(STATUS, Map.of("authorization-token", "old")), context(options, SECRET, "old"))
                .eventType()).isEqualTo("status-update");
    }

    @Test
    void hmacModeChecksTheBodySignatureAndOptionallyATimestamp() {
        Map<String, String> hmac = Map.of("auth", "hmac");
        assertThat(vapi.verify(request(STATUS, Map.of("x-vapi-signature", hmacSha256Hex(SECRET, STATUS))), context(hmac, SECRET))
                .dedupeKey()).isEqualTo("call:call_77:status-update:ended");
        assertRejected(vapi, request(STATUS.replace("ended", "in-progress"), Map.of("x-vapi-signature", hmacSha256Hex(SECRET, STATUS))),
                context(hmac, SECRET), RejectionReason.BAD_SIGNATURE);

        Map<String, String> timed = Map.of("auth", "hmac", "timestamp-header", "x-timestamp");
        long now = NOW.toEpochMilli();
        assertThat(vapi.verify(request(STATUS, Map.of("x-timestamp", Long.toString(now),
                "x-vapi-signature", hmacSha256Hex(SECRET, now + "." + STATUS))), context(timed, SECRET)).eventType())
                .isEqualTo("status-update");
        long old = now - 600_000;
        assertRejected(vapi, request(STATUS, Map.of("x-timestamp", Long.toString(old),
                "x-vapi-signature", hmacSha256Hex(SECRET, old + "." + STATUS))), context(timed, SECRET), RejectionReason.EXPIRED);
    }

    @Test
    void messagesWithoutStatusAreTellApartByTheirTimestamp() {
        String first = TRANSCRIPT.formatted(1795348791000L);
        String second = TRANSCRIPT.formatted(1795348792000L);
        String a = vapi.verify(request(first, Map.of("x-vapi-secret", SECRET)), context(SECRET)).dedupeKey();
        String b = vapi.verify(request(second, Map.of("x-vapi-secret", SECRET)), context(SECRET)).dedupeKey();
        assertThat(a).isNotEqualTo(b);
        assertThat(vapi.verify(request(first, Map.of("x-vapi-secret", SECRET)), context(SECRET)).dedupeKey()).isEqualTo(a);
    }

    @Test
    void bodyWithoutMessageOrCallIsMalformed() {
        assertRejected(vapi, request("{\"type\":\"status-update\"}", Map.of("x-vapi-secret", SECRET)), context(SECRET),
                RejectionReason.MALFORMED_BODY);
        assertRejected(vapi, request("{\"message\":{\"type\":\"status-update\"}}", Map.of("x-vapi-secret", SECRET)), context(SECRET),
                RejectionReason.MALFORMED_BODY);
    }
}
