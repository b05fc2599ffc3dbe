package io.switchboard.server.webhooks.dialpad;

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

import java.util.Base64;
import java.util.List;

/**
 * Dialpad: with a secret configured on the webhook, the body is a JWT (compact form) signed HS256 with that secret
 * and its claims are the event. Only HS256 is accepted (never {@code none}, never another algorithm). Call events
 * ({@code call_id}, {@code state}, {@code direction}, {@code event_timestamp} in ms) are one event per call, state
 * and timestamp; SMS events ({@code id}, {@code direction}) one per message id. Dialpad never retries a 4xx, so
 * only a request that is certainly not Dialpad's is refused.
 */
@Component
public final class DialpadProvider implements WebhookProvider {

    @Override
    public String name() {
        return "dialpad";
    }

    @Override
    public ReceivedEvent verify(InboundWebhook webhook, VerificationContext context) {
        String token = WebhookJson.utf8(webhook.body()).trim();
        if (token.startsWith("{")) {
            throw new WebhookRejectedException(RejectionReason.MISSING_SIGNATURE,
                    "the body is plain JSON; Dialpad signs events as a JWT when the webhook has a secret");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, "the body is not a compact JWT");
        }
        JsonNode header = WebhookJson.object(base64Url(parts[0], "header"));
        if (!"HS256".equals(WebhookJson.text(header, "alg"))) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, "the JWT is not signed with HS256");
        }
        byte[] signature = base64UrlBytes(parts[2], "signature");
        byte[] signingInput = Hmac.utf8(parts[0] + "." + parts[1]);
        if (!Hmac.anyMatches(context.secrets(), secret -> Hmac.sha256(secret, signingInput), List.of(signature))) {
            throw new WebhookRejectedException(RejectionReason.BAD_SIGNATURE, "the JWT signature matches none of the source's secrets");
        }
        JsonNode event = WebhookJson.object(base64Url(parts[1], "payload"));
        String callId = WebhookJson.text(event, "call_id");
        if (callId != null) {
            String state = WebhookJson.requiredText(event, "state");
            String at = WebhookJson.requiredText(event, "event_timestamp");
            return new ReceivedEvent("call:" + callId + ":" + state + ":" + at, "call." + state,
                    WebhookJson.epoch(event, true, "event_timestamp"), event);
        }
        String messageId = WebhookJson.requiredText(event, "id");
        String direction = WebhookJson.text(event, "direction");
        return new ReceivedEvent("sms:" + messageId, "sms." + (direction == null ? "event" : direction),
                WebhookJson.isoInstant(event, "created_date"), event);
    }

    private static String base64Url(String part, String what) {
        return WebhookJson.utf8(base64UrlBytes(part, what));
    }

    private static byte[] base64UrlBytes(String part, String what) {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new WebhookRejectedException(RejectionReason.MALFORMED_SIGNATURE, "the JWT " + what + " is not base64url");
        }
    }
}
