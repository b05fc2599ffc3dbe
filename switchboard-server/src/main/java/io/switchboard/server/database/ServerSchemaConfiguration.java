package io.switchboard.server.database;

import io.switchboard.Switchboard;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/** Runs the server's migrations after the core engine's (taking the {@link Switchboard} bean orders them). */
@Configuration(proxyBeanMethods = false)
class ServerSchemaConfiguration {
    @Bean
    ServerSchema serverSchema(DataSource dataSource, Switchboard switchboard) {
        return ServerSchema.migrate(dataSource);
    }
}
