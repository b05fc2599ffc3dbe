package io.switchboard.server.webhooks.processing;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.UUID;

/**
 * One received event as a {@link WebhookEventHandler} sees it.
 *
 * @param id         the event's id (webhook_events.id)
 * @param orgId      the organization that owns it; the handler's transaction runs as this tenant
 * @param sourceId   the webhook source it arrived on
 * @param provider   the provider's name ({@code stripe}, {@code dialpad}, ...)
 * @param eventType  the provider's event type ({@code invoice.paid}, {@code call.hangup}, ...)
 * @param dedupeKey  the key its duplicates share
 * @param occurredAt when the provider says it happened, or null when the provider does not say
 * @param receivedAt when it was received
 * @param payload    the sanitized payload (see {@code PayloadSanitizer}); the raw body stays in the inbox
 * @param attempt    this processing attempt of the event, from 1 (replays count on)
 */
public record WebhookEvent(long id, UUID orgId, UUID sourceId, String provider, String eventType, String dedupeKey,
                           Instant occurredAt, Instant receivedAt, JsonNode payload, int attempt) {
}
