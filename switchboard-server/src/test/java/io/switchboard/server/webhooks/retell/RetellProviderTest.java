package io.switchboard.server.webhooks.retell;

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

class RetellProviderTest {
    private static final String API_KEY = "key_retell_abc123";
    private static final String BODY = """
            {"event":"call_ended","call":{"call_id":"call_9f","agent_id":"ag_1","disconnection_reason":"user_hangup"}}""";
    private final RetellProvider retell = new RetellProvider();

    private static String signature(long millis, String key, String body) {
        return "v=" + millis + ",d=" + hmacSha256Hex(key, body + millis);
    }

    @Test
    void validSignatureYieldsCallAndEvent() {
        ReceivedEvent event = retell.verify(request(BODY, Map.of("x-retell-signature", signature(NOW.toEpochMilli(), API_KEY, BODY))),
                context(API_KEY));
        assertThat(event.dedupeKey()).isEqualTo("call:call_9f:call_ended");
        assertThat(event.eventType()).isEqualTo("call_ended");
        assertThat(event.occurredAt()).isEqualTo(NOW);
    }

    @Test
    void tamperedBodyWrongKeyAndForgedTimestampAreRefused() {
        String signed = signature(NOW.toEpochMilli(), API_KEY, BODY);
        assertRejected(retell, request(BODY.replace("user_hangup", "agent_hangup"), Map.of("x-retell-signature", signed)),
                context(API_KEY), RejectionReason.BAD_SIGNATURE);
        assertRejected(retell, request(BODY, Map.of("x-retell-signature", signature(NOW.toEpochMilli(), "key_other", BODY))),
                context(API_KEY), RejectionReason.BAD_SIGNATURE);
        // Moving the timestamp (to slip past the tolerance) breaks the digest.
        String moved = signed.replace("v=" + NOW.toEpochMilli(), "v=" + (NOW.toEpochMilli() + 1));
        assertRejected(retell, request(BODY, Map.of("x-retell-signature", moved)), context(API_KEY), RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void signatureOlderThanFiveMinutesIsRefused() {
        long old = NOW.toEpochMilli() - 301_000;
        assertRejected(retell, request(BODY, Map.of("x-retell-signature", signature(old, API_KEY, BODY))), context(API_KEY),
                RejectionReason.EXPIRED);
    }

    @Test
    void rotatedKeysBothVerify() {
        assertThat(retell.verify(request(BODY, Map.of("x-retell-signature", signature(NOW.toEpochMilli(), "key_old", BODY))),
                context(API_KEY, "key_old")).eventType()).isEqualTo("call_ended");
    }

    @Test
    void missingOrMalformedHeaderIsRefused() {
        assertRejected(retell, request(BODY, Map.of()), context(API_KEY), RejectionReason.MISSING_SIGNATURE);
        assertRejected(retell, request(BODY, Map.of("x-retell-signature", hmacSha256Hex(API_KEY, BODY))), context(API_KEY),
                RejectionReason.MALFORMED_SIGNATURE);
    }
}
