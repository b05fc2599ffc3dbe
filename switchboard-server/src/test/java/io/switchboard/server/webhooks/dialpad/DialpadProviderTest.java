package io.switchboard.server.webhooks.dialpad;

import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.switchboard.server.webhooks.Signing.assertRejected;
import static io.switchboard.server.webhooks.Signing.base64Url;
import static io.switchboard.server.webhooks.Signing.context;
import static io.switchboard.server.webhooks.Signing.hmac;
import static io.switchboard.server.webhooks.Signing.request;
import static org.assertj.core.api.Assertions.assertThat;

class DialpadProviderTest {
    private static final String SECRET = "dialpad-shared-secret";
    private static final String CALL = """
            {"call_id":5551234,"state":"hangup","direction":"inbound","event_timestamp":1795348790000,"external_number":"+15550001111"}""";
    private final DialpadProvider dialpad = new DialpadProvider();

    static String jwt(String headerJson, String claims, String secret) {
        String input = base64Url(headerJson) + "." + base64Url(claims);
        byte[] signature = hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), input);
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    static String jwt(String claims, String secret) {
        return jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, secret);
    }

    @Test
    void signedCallEventIsOneEventPerCallStateAndTimestamp() {
        ReceivedEvent event = dialpad.verify(request(jwt(CALL, SECRET), Map.of("Content-Type", "application/jwt")), context(SECRET));
        assertThat(event.dedupeKey()).isEqualTo("call:5551234:hangup:1795348790000");
        assertThat(event.eventType()).isEqualTo("call.hangup");
        assertThat(event.occurredAt()).hasToString("2026-11-22T11:59:50Z");
        assertThat(event.payload().get("direction").asString()).isEqualTo("inbound");
    }

    @Test
    void tamperedClaimsOrWrongSecretAreRefused() {
        String token = jwt(CALL, SECRET);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + base64Url(CALL.replace("hangup", "connected")) + "." + parts[2];
        assertRejected(dialpad, request(forged, Map.of()), context(SECRET), RejectionReason.BAD_SIGNATURE);
        assertRejected(dialpad, request(jwt(CALL, "other-secret"), Map.of()), context(SECRET), RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void algorithmNoneAndOtherAlgorithmsAreRefused() {
        String none = base64Url("{\"alg\":\"none\"}") + "." + base64Url(CALL) + ".AAAA";
        assertRejected(dialpad, request(none, Map.of()), context(SECRET), RejectionReason.BAD_SIGNATURE);
        assertRejected(dialpad, request(jwt("{\"alg\":\"HS512\"}", CALL, SECRET), Map.of()), context(SECRET),
                RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void unsignedJsonIsTreatedAsAMissingSignature() {
        assertRejected(dialpad, request(CALL, Map.of()), context(SECRET), RejectionReason.MISSING_SIGNATURE);
        assertRejected(dialpad, request("a.b", Map.of()), context(SECRET), RejectionReason.MALFORMED_SIGNATURE);
        assertRejected(dialpad, request("!!!.@@@.###", Map.of()), context(SECRET), RejectionReason.MALFORMED_SIGNATURE);
    }

    @Test
    void rotatedSecretsBothVerifyAndSmsEventsAreKeyedByMessageId() {
        String sms = "{\"id\":88,\"direction\":\"outbound\",\"text\":\"hi\"}";
        ReceivedEvent event = dialpad.verify(request(jwt(sms, "old"), Map.of()), context(SECRET, "old"));
        assertThat(event.dedupeKey()).isEqualTo("sms:88");
        assertThat(event.eventType()).isEqualTo("sms.outbound");
    }
}
