package io.switchboard.server.webhooks.generic;

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
import java.util.Map;

/**
 * Any sender that signs the raw body with an HMAC, configured per source: {@code header} (required), {@code algorithm}
 * ({@code sha256} default, {@code sha1}, {@code sha512}), {@code encoding} ({@code hex} default or {@code base64}),
 * {@code prefix} stripped from the header value (e.g. {@code sha256=}), {@code timestamp-header} (then the signed
 * content is {@code timestamp + "." + body}, unix seconds, within the tolerance), {@code id-field} and
 * {@code type-field} (dotted paths into the JSON body; without an id field the body's SHA-256 is the dedupe key, without
 * a type field the type is {@code webhook}).
 */
@Component
public final class GenericHmacProvider implements WebhookProvider {
    private static final Map<String, String> ALGORITHMS = Map.of(
            "sha256", "HmacSHA256", "sha1", "HmacSHA1", "sha512", "HmacSHA512");

    @Override
    public String name() {
        return "generic";
    }

    /** The payload is the body itself. */
    @Override
    public boolean payloadIsBody() {
        return true;
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        String headerName = context.option("header", null);
        String algorithm = ALGORITHMS.get(context.option("algorithm", "sha256"));
        String encoding = context.option("encoding", "hex");
        if (headerName == null || algorithm == null || !(encoding.equals("hex") || encoding.equals("base64"))) {
            throw new IllegalStateException("generic source options need header, algorithm sha256|sha1|sha512, encoding hex|base64");
        }
        String value = webhook.requiredHeader(headerName).trim();
        String prefix = context.option("prefix", "");
        if (!prefix.isEmpty()) {
            if (!value.startsWith(prefix)) {
                throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, headerName + " does not start with " + prefix);
            }
            value = value.substring(prefix.length());
        }
        byte[] signature = encoding.equals("hex") ? Hmac.fromHex(value) : Hmac.fromBase64(value);
        if (signature == null) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, headerName + " is not " + encoding);
        }
        String timestampHeader = context.option("timestamp-header", null);
        String timestamp = timestampHeader == null ? null : webhook.requiredHeader(timestampHeader).trim();
        if (timestamp != null && !VerificationContext.isDigits(timestamp, 12)) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, timestampHeader + " is not unix seconds");
        }
        byte[] signedPrefix = timestamp == null ? new byte[0] : Hmac.utf8(timestamp + ".");
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sign(algorithm, Hmac.utf8(secret), signedPrefix, webhook.body()),
                List.of(signature))) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, headerName + " matches none of the source's secrets");
        }
        Instant signedAt = timestamp == null ? null : Instant.ofEpochSecond(Long.parseLong(timestamp));
        if (signedAt != null) {
            context.checkTimestamp(signedAt);
        }
        JsonNode event = WebhookJson.object(webhook.body());
        String idField = context.option("id-field", null);
        String dedupeKey = idField == null ? "sha256:" + Hmac.sha256Hex(webhook.body())
                : WebhookJson.requiredText(event, idField.split("\\."));
        String typeField = context.option("type-field", null);
        String type = typeField == null ? "webhook" : WebhookJson.requiredText(event, typeField.split("\\."));
        return new ReceivedEvent(dedupeKey, type, signedAt, event);
    }
}
