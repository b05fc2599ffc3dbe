package io.switchboard.server.webhooks.processing;

import java.sql.Connection;

/**
 * Applies events of one provider's types. Declare one as a Spring bean; the first (in bean order) that handles an
 * event's provider and type gets it. {@link #handle} runs inside the transaction that also marks the event and its
 * job completed, as the event's tenant (row-level security applies): its writes commit with the completion or not
 * at all. Throwing fails the attempt; it is retried with backoff, then dead-lettered.
 *
 * <pre>{@code
 * @Component
 * class InvoicePaid implements WebhookEventHandler {
 *     public String provider() { return "stripe"; }
 *     public boolean handles(String eventType) { return eventType.equals("invoice.paid"); }
 *     public void handle(WebhookEvent event, Connection connection) throws SQLException { ... }
 * }
 * }</pre>
 *
 * Events arrive at least once per replay and in any order: use {@link EntityVersions#advance} so a later state is
 * never overwritten by an earlier one.
 */
public interface WebhookEventHandler {
    /** The provider whose events this handles. */
    String provider();

    /** Whether this handles events of {@code eventType}. */
    boolean handles(String eventType);

    /** Applies {@code event}; do not commit, roll back or close {@code connection}. */
    void handle(WebhookEvent event, Connection connection) throws Exception;
}
