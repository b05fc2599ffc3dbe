package io.switchboard.server.webhooks.retell;

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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retell: {@code x-retell-signature: v=<unix milliseconds>,d=<hex>}, the digest an HMAC-SHA256 of the raw body
 * followed by the timestamp's digits, keyed with the API key; the timestamp must be within the tolerance (5
 * minutes). Body {@code {"event": "call_started", "call": {"call_id": ...}}}; an event is its call id and event name.
 */
@Component
public final class RetellProvider implements WebhookProvider {
    static final String HEADER = "x-retell-signature";
    private static final Pattern FORMAT = Pattern.compile("v=(\\d{1,15}),d=([0-9a-fA-F]{64})");

    @Override
    public String name() {
        return "retell";
    }

    /** The payload is the body itself. */
    @Override
    public boolean payloadIsBody() {
        return true;
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        Matcher m = FORMAT.matcher(webhook.requiredHeader(HEADER).trim());
        if (!m.matches()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, HEADER + " is not v=<ms>,d=<hex>");
        }
        String timestamp = m.group(1);
        byte[] digest = Hmac.fromHex(m.group(2));
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sha256(secret, webhook.body(), Hmac.utf8(timestamp)),
                List.of(digest))) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, HEADER + " matches none of the source's secrets");
        }
        Instant signedAt = Instant.ofEpochMilli(Long.parseLong(timestamp));
        context.checkTimestamp(signedAt);
        JsonNode event = WebhookJson.object(webhook.body());
        String type = WebhookJson.requiredText(event, "event");
        String callId = WebhookJson.requiredText(event, "call", "call_id");
        return new ReceivedEvent("call:" + callId + ":" + type, type, signedAt, event);
    }
}
