package io.switchboard.server.webhooks.provider;

/**
 * One webhook provider: how its requests prove they come from it, and how an event is identified. An
 * implementation is a Spring bean; its {@link #name()} is the {@code {provider}} of
 * {@code POST /webhooks/{provider}/{source}}. Nothing of the request may be trusted, parsed into anything but
 * bytes, or logged before {@link #verify} has checked the signature.
 */
public interface WebhookProvider {

    /** Lower-case name used in URLs and stored with every event, e.g. {@code stripe}. */
    String name();

    /**
     * Checks that {@code webhook} was sent by the provider (with any of the source's active secrets, compared in
     * constant time) and extracts the event's identity.
     *
     * @throws WebhookRejectedException with the reason (missing or bad signature, expired timestamp, malformed body)
     */
    ReceivedEvent verify(InboundWebhook webhook, VerificationContext context);

    /**
     * Whether {@link #verify}'s payload is always the whole body parsed as a JSON object by
     * {@link WebhookJson#object(byte[])} (strict UTF-8). Then an event whose sanitized payload equals it is stored
     * with its body only, and its payload is read from the body: less to write per event. False by default, which
     * always stores the sanitized payload as well.
     */
    default boolean payloadIsBody() {
        return false;
    }
}
