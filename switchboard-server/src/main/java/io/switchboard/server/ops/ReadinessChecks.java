package io.switchboard.server.ops;

import io.switchboard.db.SchemaMigration;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.QueueStats;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Health indicators that, with the database check, make up the readiness group (application.yml): the engine's
 * migrations are all applied, and no queue lags behind more than {@code switchboard.ops.readiness.max-queue-lag}.
 * Liveness uses none of them: a database outage must not make the orchestrator restart healthy processes.
 */
@Configuration(proxyBeanMethods = false)
class ReadinessChecks {
    @Bean
    HealthIndicator migrationsHealthIndicator(DataSource dataSource) {
        return () -> {
            List<String> pending = SchemaMigration.pendingMigrations(dataSource);
            return pending.isEmpty()
                    ? Health.up().build()
                    : Health.status(Status.OUT_OF_SERVICE).withDetail("pending", pending).build();
        };
    }

    @Bean
    HealthIndicator queueLagHealthIndicator(JobQueue jobs, OpsProperties properties) {
        Duration max = properties.readiness().maxQueueLag();
        return () -> {
            Map<String, String> lagging = new LinkedHashMap<>();
            for (QueueStats queue : jobs.stats()) {
                if (queue.lag().compareTo(max) > 0) {
                    lagging.put(queue.queue(), queue.lag().toString());
                }
            }
            Health.Builder health = lagging.isEmpty() ? Health.up() : Health.status(Status.OUT_OF_SERVICE).withDetail("lagging", lagging);
            return health.withDetail("maxQueueLag", max.toString()).build();
        };
    }
}
