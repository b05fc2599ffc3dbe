package io.switchboard.server.webhooks.log;

import io.switchboard.jobs.JobQueue;
import io.switchboard.schedule.Schedule;
import io.switchboard.server.tenancy.TenantDatabase;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;

/** The delivery log and the webhook retention schedule {@value #RETENTION_SCHEDULE}. */
@Configuration(proxyBeanMethods = false)
class DeliveryLogConfiguration {
    static final String RETENTION_SCHEDULE = "switchboard.webhook-retention";

    @Bean
    DeliveryLog deliveryLog(TenantDatabase database, JobQueue jobs, JsonMapper json) {
        return new DeliveryLog(database, jobs, json);
    }

    /** Needed by the Switchboard's schedules, so built before the server schema; it touches the database only when run. */
    @Bean
    WebhookRetention webhookRetention(DataSource dataSource, WebhookLogProperties properties) {
        return new WebhookRetention(dataSource, properties.retention(), properties.retentionBatch());
    }

    /** Picked up with every other {@link Schedule} bean; runs once per interval across all instances. */
    @Bean
    Schedule webhookRetentionSchedule(WebhookRetention retention, WebhookLogProperties properties) {
        return Schedule.every(RETENTION_SCHEDULE, properties.retentionEvery(), context -> retention.purge());
    }
}
