package io.switchboard.server.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.Switchboard;
import io.switchboard.db.AfterCommit;
import io.switchboard.jobs.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.ConnectionProxy;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.sql.Connection;

/**
 * The {@link Switchboard} of this server, with every {@link JobHandlerRegistration} bean registered on it and every
 * {@link SwitchboardBuilderCustomizer} bean applied.
 */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {
    private static final Logger log = LoggerFactory.getLogger(JobsConfiguration.class);

    /** Migrates the schema when built; the workers are run by {@link SwitchboardLifecycle}. */
    @Bean
    Switchboard switchboard(DataSource dataSource, MeterRegistry meterRegistry, JsonMapper jsonMapper,
                            JobsProperties properties, ObjectProvider<JobHandlerRegistration<?>> registrations,
                            ObjectProvider<SwitchboardBuilderCustomizer> customizers) {
        // Transaction-aware: work done while a Spring-managed transaction is open on the thread (the idempotency
        // filter opens one per keyed request) joins it; everywhere else the pool's connections are used as they are.
        Switchboard.Builder builder = Switchboard.builder(new TransactionAwareDataSourceProxy(dataSource))
                .meterRegistry(meterRegistry)
                // The API's mapper, so job arguments are checked as strictly as request bodies (spring.jackson.*).
                .jsonMapper(jsonMapper)
                .retention(properties.retention().toRetention())
                .jobs(jobs -> jobs.shutdownTimeout(properties.shutdownTimeout())
                        .afterCommit(new SpringAfterCommit(dataSource)));
        if (properties.instanceId() != null && !properties.instanceId().isBlank()) {
            builder.instanceId(properties.instanceId());
        }
        properties.queues().forEach((queue, settings) -> builder.queue(settings.toOptions(queue)));
        registrations.orderedStream().forEach(registration -> registration.registerOn(builder));
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        Switchboard switchboard = builder.build();
        log.info("Switchboard instance {} runs job kinds {}", switchboard.instanceId(), switchboard.jobs().kinds());
        return switchboard;
    }

    /**
     * Wakes workers after the Spring-managed transaction an enqueue joined commits, instead of a NOTIFY inside it;
     * a connection Spring does not manage gets the NOTIFY (sent by the insert itself).
     */
    private record SpringAfterCommit(DataSource dataSource) implements AfterCommit {
        @Override
        public boolean manages(Connection connection) {
            Connection target = connection instanceof ConnectionProxy proxy ? proxy.getTargetConnection() : connection;
            return TransactionSynchronizationManager.isSynchronizationActive()
                    && DataSourceUtils.isConnectionTransactional(target, dataSource);
        }

        @Override
        public boolean register(Connection connection, Runnable action) {
            if (!manages(connection)) {
                return false;
            }
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
            return true;
        }
    }

    @Bean
    SwitchboardLifecycle switchboardLifecycle(Switchboard switchboard, JobsProperties properties) {
        return new SwitchboardLifecycle(switchboard, properties.shutdownTimeout());
    }

    @Bean
    JobQueue jobQueue(Switchboard switchboard) {
        return switchboard.jobs();
    }
}
