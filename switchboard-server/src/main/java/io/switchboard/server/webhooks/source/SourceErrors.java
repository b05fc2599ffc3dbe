package io.switchboard.server.webhooks.source;

/** Failures of the sources API that map to their own problem types. */
public final class SourceErrors {
    private SourceErrors() {
    }

    /** No such source (or secret) for this organization; another organization's ids are not revealed. */
    public static final class NotFoundException extends RuntimeException {
        NotFoundException(String detail) {
            super(detail);
        }
    }

    /** The request conflicts with the source's state (e.g. removing its last active secret). */
    public static final class ConflictException extends RuntimeException {
        ConflictException(String detail) {
            super(detail);
        }
    }

    /** No secret encryption key is configured, so secrets can be neither stored nor read. */
    public static final class SecretKeyMissingException extends RuntimeException {
        public SecretKeyMissingException() {
            super("webhook sources are unavailable: switchboard.webhooks.secret-key (SWITCHBOARD_WEBHOOK_SECRET_KEY) is not "
                    + "configured on this server");
        }
    }
}
