package io.switchboard.server.webhooks.calcom;

import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.switchboard.server.webhooks.Signing.assertRejected;
import static io.switchboard.server.webhooks.Signing.context;
import static io.switchboard.server.webhooks.Signing.hmacSha256Hex;
import static io.switchboard.server.webhooks.Signing.request;
import static org.assertj.core.api.Assertions.assertThat;

class CalComProviderTest {
    private static final String SECRET = "cal-secret-1";
    private static final String BODY = """
            {"triggerEvent":"BOOKING_RESCHEDULED","createdAt":"2026-11-22T11:59:30.000Z","payload":{"uid":"bk_1","rescheduleUid":"bk_0"}}""";
    private final CalComProvider cal = new CalComProvider();

    @Test
    void validSignatureYieldsTheTriggerAndABodyHashAsDedupeKey() {
        ReceivedEvent event = cal.verify(request(BODY, Map.of("X-Cal-Signature-256", hmacSha256Hex(SECRET, BODY))), context(SECRET));
        assertThat(event.eventType()).isEqualTo("BOOKING_RESCHEDULED");
        assertThat(event.dedupeKey()).startsWith("sha256:").hasSize(7 + 64);
        assertThat(event.occurredAt()).hasToString("2026-11-22T11:59:30Z");
        // The same bytes again are the same event; any other body is another one.
        ReceivedEvent again = cal.verify(request(BODY, Map.of("x-cal-signature-256", hmacSha256Hex(SECRET, BODY))), context(SECRET));
        assertThat(again.dedupeKey()).isEqualTo(event.dedupeKey());
        String other = BODY.replace("bk_1", "bk_2");
        assertThat(cal.verify(request(other, Map.of("X-Cal-Signature-256", hmacSha256Hex(SECRET, other))), context(SECRET))
                .dedupeKey()).isNotEqualTo(event.dedupeKey());
    }

    @Test
    void tamperedBodyOrWrongSecretIsRefused() {
        assertRejected(cal, request(BODY.replace("RESCHEDULED", "CANCELLED"), Map.of("X-Cal-Signature-256", hmacSha256Hex(SECRET, BODY))),
                context(SECRET), RejectionReason.BAD_SIGNATURE);
        assertRejected(cal, request(BODY, Map.of("X-Cal-Signature-256", hmacSha256Hex("other", BODY))), context(SECRET),
                RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void rotatedSecretsBothVerify() {
        assertThat(cal.verify(request(BODY, Map.of("X-Cal-Signature-256", hmacSha256Hex("old-secret", BODY))),
                context(SECRET, "old-secret")).eventType()).isEqualTo("BOOKING_RESCHEDULED");
    }

    @Test
    void missingOrMalformedSignatureIsRefused() {
        assertRejected(cal, request(BODY, Map.of()), context(SECRET), RejectionReason.MISSING_SIGNATURE);
        assertRejected(cal, request(BODY, Map.of("X-Cal-Signature-256", "not-hex")), context(SECRET), RejectionReason.MALFORMED_SIGNATURE);
    }

    @Test
    void signedBodyThatIsNotJsonIsMalformed() {
        String body = "triggerEvent=BOOKING_CREATED";
        assertRejected(cal, request(body, Map.of("X-Cal-Signature-256", hmacSha256Hex(SECRET, body))), context(SECRET),
                RejectionReason.MALFORMED_BODY);
    }
}
