package io.switchboard.server.webhooks.processing;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.KindOptions;
import io.switchboard.jobs.RetryPolicy;
import io.switchboard.schedule.Schedule;
import io.switchboard.server.jobs.JobHandlerRegistration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.time.Duration;

/** Registers the job kind {@value #KIND} that processes received webhook events, on the queue {@value #QUEUE}. */
@Configuration(proxyBeanMethods = false)
public class WebhookProcessingConfiguration {
    /** The kind's name; ingestion enqueues one job of it per group commit, which processes the events naming it. */
    public static final String KIND = "webhook.process";
    /** Webhook processing has a queue of its own so a burst of events does not starve other jobs. */
    public static final String QUEUE = "webhooks";
    /** The kind, for enqueueing with {@code JobRequest.of(PROCESS, new ProcessArgs(events))}. */
    public static final JobKind<WebhookProcessor.ProcessArgs> PROCESS = JobKind.of(KIND, WebhookProcessor.ProcessArgs.class);
    /** 8 attempts, 2 s doubling up to 10 min (about 8 minutes until dead-lettered). */
    public static final RetryPolicy RETRY = new RetryPolicy(8, Duration.ofSeconds(2), 2.0, Duration.ofMinutes(10), 0.2);
    /** Dead-letters the events of processing jobs that ended without them, once a minute across all instances. */
    public static final String ABANDONED_SCHEDULE = "switchboard.webhook-abandoned-events";

    @Bean
    WebhookMetrics webhookMetrics(MeterRegistry registry) {
        return new WebhookMetrics(registry);
    }

    /**
     * Built before the server schema is migrated (the Switchboard needs it); it touches the database only when run,
     * and asks for the job queue (which the Switchboard provides) only then.
     */
    @Bean
    JobHandlerRegistration<WebhookProcessor.ProcessArgs> webhookProcessJob(
            DataSource dataSource, ObjectProvider<JobQueue> jobs, JsonMapper json, ObjectProvider<WebhookEventHandler> handlers,
            WebhookMetrics metrics) {
        WebhookProcessor processor = new WebhookProcessor(dataSource, jobs::getObject, json, handlers.orderedStream().toList(), metrics);
        return new JobHandlerRegistration<>(PROCESS, new KindOptions(QUEUE, RETRY), processor);
    }

    /** Needed by the Switchboard's schedules, so built before the server schema; it touches the database only when run. */
    @Bean
    AbandonedEvents abandonedWebhookEvents(DataSource dataSource, WebhookMetrics metrics) {
        return new AbandonedEvents(dataSource, metrics);
    }

    @Bean
    Schedule abandonedWebhookEventsSchedule(AbandonedEvents abandoned) {
        return Schedule.every(ABANDONED_SCHEDULE, Duration.ofMinutes(1), context -> abandoned.sweep());
    }
}
