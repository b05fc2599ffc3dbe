package io.switchboard.server.webhooks.standard;

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
 * Standard Webhooks (standardwebhooks.com, used by Svix and others): headers {@code webhook-id},
 * {@code webhook-timestamp} (unix seconds) and {@code webhook-signature}, a space-separated list of
 * {@code v1,<base64>} entries, each an HMAC-SHA256 of {@code id + "." + timestamp + "." + body} keyed with the
 * base64-decoded part of a {@code whsec_...} secret. Timestamp within the tolerance (5 minutes); dedupe by
 * {@code webhook-id}; type from the body's {@code type}.
 */
@Component
public final class StandardWebhooksProvider implements WebhookProvider {
    static final String SECRET_PREFIX = "whsec_";

    @Override
    public String name() {
        return "standard";
    }

    /** The payload is the body itself. */
    @Override
    public boolean payloadIsBody() {
        return true;
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        String id = webhook.requiredHeader("webhook-id").trim();
        String timestamp = webhook.requiredHeader("webhook-timestamp").trim();
        String header = webhook.requiredHeader("webhook-signature");
        if (!VerificationContext.isDigits(timestamp, 12) || id.length() > 200) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, "webhook-timestamp or webhook-id is malformed");
        }
        List<byte[]> signatures = new ArrayList<>();
        for (String entry : header.trim().split(" +")) {
            if (entry.startsWith("v1,")) {
                byte[] signature = Hmac.fromBase64(entry.substring(3));
                if (signature != null) {
                    signatures.add(signature);
                }
            }
        }
        if (signatures.isEmpty()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, "webhook-signature has no v1,<base64> entry");
        }
        byte[] signedPrefix = Hmac.utf8(id + "." + timestamp + ".");
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sign(Hmac.SHA256, key(secret), signedPrefix, webhook.body()),
                signatures)) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, "no v1 signature matches the source's secrets");
        }
        Instant signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp));
        context.checkTimestamp(signedAt);
        JsonNode event = WebhookJson.object(webhook.body());
        return new ReceivedEvent(id, WebhookJson.requiredText(event, "type"), signedAt, event);
    }

    /** The signing key of a {@code whsec_<base64>} secret; other secrets are a configuration error. */
    public static byte[] key(String secret) {
        byte[] key = secret.startsWith(SECRET_PREFIX) ? Hmac.fromBase64(secret.substring(SECRET_PREFIX.length())) : null;
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("a Standard Webhooks secret is whsec_ followed by base64 of at least 16 bytes");
        }
        return key;
    }
}
