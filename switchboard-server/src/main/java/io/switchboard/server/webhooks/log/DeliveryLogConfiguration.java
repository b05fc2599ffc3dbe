package io.switchboard.server.webhooks.log;

import io.switchboard.jobs.JobQueue;
import io.switchboard.schedule.Schedule;
import io.switchboard.server.database.ServerSchema;
import io.switchboard.server.tenancy.TenantDatabase;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
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

    @Bean
    WebhookRetention webhookRetention(DataSource dataSource, WebhookLogProperties properties, ServerSchema schema) {
        return new WebhookRetention(dataSource, properties.retention(), properties.retentionBatch());
    }

    /** Picked up with every other {@link Schedule} bean; runs once per interval across all instances. */
    @Bean
    Schedule webhookRetentionSchedule(@Lazy WebhookRetention retention, WebhookLogProperties properties) {
        return Schedule.every(RETENTION_SCHEDULE, properties.retentionEvery(), context -> retention.purge());
    }
}
