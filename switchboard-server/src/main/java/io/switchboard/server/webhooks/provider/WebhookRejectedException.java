package io.switchboard.server.webhooks.provider;

import java.util.Objects;

/** A webhook request refused by its provider's checks; the message never contains a secret. */
public class WebhookRejectedException extends RuntimeException {
    private final RejectionReason reason;

    public WebhookRejectedException(RejectionReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RejectionReason reason() {
        return reason;
    }
}
