package io.switchboard.server.webhooks.vapi;

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

/**
 * Vapi server messages {@code {"message": {"type": ..., "call": {"id": ...}, ...}}}. Authentication is a source
 * option: {@code auth=secret} (default) compares a shared-secret header ({@code header}, default
 * {@code x-vapi-secret}) in constant time; {@code auth=hmac} checks a hex HMAC-SHA256 of the raw body in
 * {@code header} (default {@code x-vapi-signature}), or of {@code timestamp + "." + body} when
 * {@code timestamp-header} is set (then also within the tolerance). An event is its call id, message type and
 * status; messages without a status (transcripts, ...) add their own timestamp so that each one counts.
 */
@Component
public final class VapiProvider implements WebhookProvider {

    @Override
    public String name() {
        return "vapi";
    }

    /** The payload is the body itself. */
    @Override
    public boolean payloadIsBody() {
        return true;
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        String auth = context.option("auth", "secret");
        switch (auth) {
            case "secret" -> checkSharedSecret(webhook, context);
            case "hmac" -> checkHmac(webhook, context);
            default -> throw new IllegalStateException("vapi source option auth must be secret or hmac, was " + auth);
        }
        JsonNode body = WebhookJson.object(webhook.body());
        JsonNode message = body.get("message");
        if (message == null || !message.isObject()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_BODY, "the body has no message object");
        }
        String type = WebhookJson.requiredText(message, "type");
        String callId = WebhookJson.requiredText(message, "call", "id");
        String status = WebhookJson.text(message, "status");
        String timestamp = WebhookJson.text(message, "timestamp");
        String discriminator = status != null ? status : timestamp != null ? "@" + timestamp : "-";
        Instant occurredAt = WebhookJson.epoch(message, true, "timestamp");
        return new ReceivedEvent("call:" + callId + ":" + type + ":" + discriminator, type, occurredAt, body);
    }

    private static void checkSharedSecret(InboundWebhook webhook, VerificationContext context) {
        String presented = webhook.requiredHeader(context.option("header", "x-vapi-secret"));
        boolean match = false;
        for (String secret : context.secrets()) {
            match |= Hmac.sameSecret(secret, presented);
        }
        if (!match) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, "the shared secret header matches none of the source's secrets");
        }
    }

    private static void checkHmac(InboundWebhook webhook, VerificationContext context) {
        String header = context.option("header", "x-vapi-signature");
        byte[] signature = Hmac.fromHex(webhook.requiredHeader(header).trim());
        if (signature == null) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, header + " is not a hex signature");
        }
        String timestampHeader = context.option("timestamp-header", null);
        byte[] prefix = new byte[0];
        String timestamp = null;
        if (timestampHeader != null) {
            timestamp = webhook.requiredHeader(timestampHeader).trim();
            if (!VerificationContext.isDigits(timestamp, 15)) {
                throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, timestampHeader + " is not a number");
            }
            prefix = Hmac.utf8(timestamp + ".");
        }
        byte[] signedPrefix = prefix;
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sha256(secret, signedPrefix, webhook.body()), List.of(signature))) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, header + " matches none of the source's secrets");
        }
        if (timestamp != null) {
            long value = Long.parseLong(timestamp);
            // Seconds or milliseconds, whichever the sender uses: milliseconds are 13 digits today.
            context.checkTimestamp(timestamp.length() >= 13 ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value));
        }
    }
}
