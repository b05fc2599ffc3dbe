package io.switchboard.server.webhooks.provider;

/** Why a webhook request was refused, with the HTTP status it gets. Recorded with every rejected attempt. */
public enum RejectionReason {
    /** No signature (or shared-secret) header. */
    MISSING_SIGNATURE(401),
    /** A signature header that cannot be parsed. */
    MALFORMED_SIGNATURE(401),
    /** A well-formed signature that matches none of the source's secrets. */
    BAD_SIGNATURE(401),
    /** A signed timestamp outside the tolerance: a replay or a badly wrong clock. */
    EXPIRED(401),
    /** A correctly signed body that is not the provider's format (not JSON, invalid UTF-8, too deep, no id). */
    MALFORMED_BODY(400);

    private final int status;

    RejectionReason(int status) {
        this.status = status;
    }

    /** HTTP status of the refusal. */
    public int status() {
        return status;
    }

    /** Name used in problem types, metrics and the delivery log, e.g. {@code bad-signature}. */
    public String code() {
        return name().toLowerCase().replace('_', '-');
    }
}
