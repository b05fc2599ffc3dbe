package io.switchboard.server.webhooks.ingest;

import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.KindOptions;
import io.switchboard.server.jobs.SwitchboardBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The job that processes one received event. Ingestion enqueues it in the transaction that stores the event; the
 * processing feature registers its handler for the same kind (a kind declared here and handled there is one kind).
 */
@Configuration(proxyBeanMethods = false)
public class WebhookJobs {
    /** Queue of webhook processing jobs, worked apart from other jobs so a burst of events does not starve them. */
    public static final String QUEUE = "webhooks";
    /** {@code webhook.process} with {@code {"eventId": <webhook_events.id>}}. */
    public static final JobKind<ProcessEvent> PROCESS = JobKind.of("webhook.process", ProcessEvent.class);
    /** Options of {@link #PROCESS}: its queue. */
    public static final KindOptions OPTIONS = KindOptions.defaults().inQueue(QUEUE);

    /** Unique key of an event's job: at most one unfinished processing job per event. */
    public static String uniqueKey(long eventId) {
        return "webhook-event:" + eventId;
    }

    /** Arguments of {@link #PROCESS}. */
    public record ProcessEvent(long eventId) {
    }

    /** Declares the kind so it can be enqueued even on an instance that does not run its handler. */
    @Bean
    SwitchboardBuilderCustomizer webhookProcessKind() {
        return builder -> builder.declare(PROCESS, OPTIONS);
    }
}
