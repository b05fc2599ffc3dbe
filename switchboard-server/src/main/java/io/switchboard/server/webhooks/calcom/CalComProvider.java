package io.switchboard.server.webhooks.calcom;

import io.switchboard.server.webhooks.provider.Hmac;
import io.switchboard.server.webhooks.provider.InboundWebhook;
import io.switchboard.server.webhooks.provider.ReceivedEvent;
import io.switchboard.server.webhooks.provider.RejectionReason;
import io.switchboard.server.webhooks.provider.VerificationContext;
import io.switchboard.server.webhooks.provider.WebhookJson;
import io.switchboard.server.webhooks.provider.WebhookProvider;
import io.switchboard.server.webhooks.provider.WebhookRejectedException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * Cal.com: {@code X-Cal-Signature-256: <hex HMAC-SHA256 of the raw body>} keyed with the webhook's secret. Cal.com
 * sends neither an event id nor a signed timestamp, so a copy is recognised by the SHA-256 of its body, and a
 * replayed body cannot be told from a retry. The type is {@code triggerEvent} (BOOKING_CREATED,
 * BOOKING_RESCHEDULED, BOOKING_CANCELLED, ...).
 */
@Component
public final class CalComProvider implements WebhookProvider {
    static final String HEADER = "X-Cal-Signature-256";

    @Override
    public String name() {
        return "calcom";
    }

    /** The payload is the body itself. */
    @Override
    public boolean payloadIsBody() {
        return true;
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        byte[] signature = Hmac.fromHex(webhook.requiredHeader(HEADER).trim());
        if (signature == null) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, HEADER + " is not a hex signature");
        }
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sha256(secret, webhook.body()), List.of(signature))) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, HEADER + " matches none of the source's secrets");
        }
        JsonNode event = WebhookJson.object(webhook.body());
        return new ReceivedEvent("sha256:" + Hmac.sha256Hex(webhook.body()), WebhookJson.requiredText(event, "triggerEvent"),
                WebhookJson.isoInstant(event, "createdAt"), event);
    }
}
