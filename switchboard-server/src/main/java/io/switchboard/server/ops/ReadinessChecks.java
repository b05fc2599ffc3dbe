package io.switchboard.server.ops;

import io.switchboard.db.SchemaMigration;
import io.switchboard.jobs.JobQueue;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
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
 * A check that cannot reach the database is DOWN (AbstractHealthIndicator turns the exception into DOWN).
 */
@Configuration(proxyBeanMethods = false)
class ReadinessChecks {
    @Bean
    HealthIndicator migrationsHealthIndicator(DataSource dataSource) {
        return new AbstractHealthIndicator("Could not check the engine's migrations") {
            @Override
            protected void doHealthCheck(Health.Builder health) {
                List<String> pending = SchemaMigration.pendingMigrations(dataSource);
                if (pending.isEmpty()) {
                    health.up();
                } else {
                    health.status(Status.OUT_OF_SERVICE).withDetail("pending", pending);
                }
            }
        };
    }

    @Bean
    HealthIndicator queueLagHealthIndicator(JobQueue jobs, OpsProperties properties) {
        Duration max = properties.readiness().maxQueueLag();
        return new AbstractHealthIndicator("Could not read the queues' lag") {
            @Override
            protected void doHealthCheck(Health.Builder health) {
                // lags() counts nothing: a probe must answer quickly however long the backlog (stats() counts every job).
                Map<String, String> lagging = new LinkedHashMap<>();
                jobs.lags().forEach((queue, lag) -> {
                    if (lag.compareTo(max) > 0) {
                        lagging.put(queue, lag.toString());
                    }
                });
                if (lagging.isEmpty()) {
                    health.up();
                } else {
                    health.status(Status.OUT_OF_SERVICE).withDetail("lagging", lagging);
                }
                health.withDetail("maxQueueLag", max.toString());
            }
        };
    }
}
