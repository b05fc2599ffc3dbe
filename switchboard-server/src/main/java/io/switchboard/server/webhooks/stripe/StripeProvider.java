package io.switchboard.server.webhooks.stripe;

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

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Stripe: {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]}, each v1 an HMAC-SHA256 of
 * {@code t + "." + raw body} keyed with the whole endpoint secret string ({@code whsec_...}); several v1 values
 * appear while Stripe rolls a secret. The timestamp must be within the tolerance (5 minutes). Events are deduplicated
 * by their id ({@code evt_...}).
 */
@Component
public final class StripeProvider implements WebhookProvider {
    static final String HEADER = "Stripe-Signature";

    @Override
    public String name() {
        return "stripe";
    }

    /** The payload is the body itself. */
    @Override
    public boolean payloadIsBody() {
        return true;
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        String header = webhook.requiredHeader(HEADER);
        String timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String element : header.split(",")) {
            int eq = element.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = element.substring(0, eq).trim();
            String value = element.substring(eq + 1).trim();
            if (key.equals("t")) {
                timestamp = value;
            } else if (key.equals("v1")) {
                byte[] signature = Hmac.fromHex(value);
                if (signature != null) {
                    signatures.add(signature);
                }
            }
        }
        if (timestamp == null || !VerificationContext.isDigits(timestamp, 12) || signatures.isEmpty()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE,
                    HEADER + " needs t=<unix seconds> and at least one v1=<hex signature>");
        }
        byte[] signedPrefix = Hmac.utf8(timestamp + ".");
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sha256(secret, signedPrefix, webhook.body()), signatures)) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, "no v1 signature matches the source's secrets");
        }
        context.checkTimestamp(Instant.ofEpochSecond(Long.parseLong(timestamp)));
        JsonNode event = WebhookJson.object(webhook.body());
        return new ReceivedEvent(WebhookJson.requiredText(event, "id"), WebhookJson.requiredText(event, "type"),
                WebhookJson.epoch(event, false, "created"), event);
    }
}
