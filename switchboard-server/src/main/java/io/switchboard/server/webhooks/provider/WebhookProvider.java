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
}
