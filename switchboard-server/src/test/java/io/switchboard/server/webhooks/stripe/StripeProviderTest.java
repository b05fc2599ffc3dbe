package io.switchboard.server.webhooks.stripe;

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

class StripeProviderTest {
    private static final String SECRET = "whsec_test_0123456789abcdef";
    private static final String BODY = """
            {"id":"evt_1Nx","object":"event","type":"invoice.paid","created":1795867200,"data":{"object":{"id":"in_1"}}}""";
    private final StripeProvider stripe = new StripeProvider();

    private static String header(long t, String... secrets) {
        StringBuilder h = new StringBuilder("t=" + t);
        for (String secret : secrets) {
            h.append(",v1=").append(hmacSha256Hex(secret, t + "." + BODY));
        }
        return h.toString();
    }

    @Test
    void validSignatureYieldsTheEventIdTypeAndTime() {
        ReceivedEvent event = stripe.verify(request(BODY, Map.of("Stripe-Signature", header(NOW.getEpochSecond(), SECRET))),
                context(SECRET));
        assertThat(event.dedupeKey()).isEqualTo("evt_1Nx");
        assertThat(event.eventType()).isEqualTo("invoice.paid");
        assertThat(event.occurredAt()).hasToString("2026-11-28T12:00:00Z");
    }

    @Test
    void tamperedBodyIsRefused() {
        String signed = header(NOW.getEpochSecond(), SECRET);
        assertRejected(stripe, request(BODY.replace("invoice.paid", "invoice.voided"), Map.of("Stripe-Signature", signed)),
                context(SECRET), RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void signatureWithAnotherSecretIsRefused() {
        assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", header(NOW.getEpochSecond(), "whsec_other"))),
                context(SECRET), RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void timestampOutsideFiveMinutesIsRefusedEvenWhenCorrectlySigned() {
        assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", header(NOW.getEpochSecond() - 301, SECRET))),
                context(SECRET), RejectionReason.EXPIRED);
        assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", header(NOW.getEpochSecond() + 301, SECRET))),
                context(SECRET), RejectionReason.EXPIRED);
        assertThat(stripe.verify(request(BODY, Map.of("Stripe-Signature", header(NOW.getEpochSecond() - 299, SECRET))),
                context(SECRET)).dedupeKey()).isEqualTo("evt_1Nx");
    }

    @Test
    void duringRotationEitherSignatureAndEitherSecretIsAccepted() {
        String newSecret = "whsec_new_fedcba9876543210";
        // Stripe sends one v1 per active secret while an endpoint secret is rolled.
        String both = header(NOW.getEpochSecond(), "whsec_expired_one", newSecret);
        assertThat(stripe.verify(request(BODY, Map.of("Stripe-Signature", both)), context(newSecret)).dedupeKey())
                .isEqualTo("evt_1Nx");
        // The source keeps two active secrets: a request signed with the old one still passes.
        assertThat(stripe.verify(request(BODY, Map.of("Stripe-Signature", header(NOW.getEpochSecond(), SECRET))),
                context(newSecret, SECRET)).eventType()).isEqualTo("invoice.paid");
    }

    @Test
    void missingOrMalformedHeaderIsRefused() {
        assertRejected(stripe, request(BODY, Map.of()), context(SECRET), RejectionReason.MISSING_SIGNATURE);
        assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", "t=abc,v1=00")), context(SECRET),
                RejectionReason.MALFORMED_SIGNATURE);
        assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", "t=" + NOW.getEpochSecond())), context(SECRET),
                RejectionReason.MALFORMED_SIGNATURE);
        assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", "t=" + NOW.getEpochSecond() + ",v0="
                + hmacSha256Hex(SECRET, NOW.getEpochSecond() + "." + BODY))), context(SECRET), RejectionReason.MALFORMED_SIGNATURE);
    }

    @Test
    void timestampMustBeOneToTwelveAsciiDigitsEvenWhenSigned() {
        for (String t : new String[]{"", "-1", "+1795867200", "1795867200.5", "0001795867200", "\u0661\u0662\u0663"}) {
            String signed = "t=" + t + ",v1=" + hmacSha256Hex(SECRET, t + "." + BODY);
            assertRejected(stripe, request(BODY, Map.of("Stripe-Signature", signed)), context(SECRET),
                    RejectionReason.MALFORMED_SIGNATURE);
        }
        String padded = "0" + NOW.getEpochSecond();
        assertThat(stripe.verify(request(BODY, Map.of("Stripe-Signature", "t=" + padded + ",v1="
                + hmacSha256Hex(SECRET, padded + "." + BODY))), context(SECRET)).dedupeKey()).isEqualTo("evt_1Nx");
    }

    @Test
    void correctlySignedBodyWithoutAnEventIdIsMalformed() {
        String body = "{\"type\":\"invoice.paid\"}";
        long t = NOW.getEpochSecond();
        assertRejected(stripe, request(body, Map.of("Stripe-Signature", "t=" + t + ",v1=" + hmacSha256Hex(SECRET, t + "." + body))),
                context(SECRET), RejectionReason.MALFORMED_BODY);
    }
}
