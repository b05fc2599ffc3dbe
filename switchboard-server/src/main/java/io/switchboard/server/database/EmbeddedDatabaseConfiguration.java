package io.switchboard.server.database;

import io.switchboard.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * With no database configured, runs PostgreSQL from the embedded binaries and hands its address to Spring Boot
 * as {@link JdbcConnectionDetails}: the usual HikariCP pool ({@code spring.datasource.hikari.*}) is then built on
 * it. Because the pool depends on these beans, the server is up before the pool is created and is stopped only
 * after the pool (and everything using it) is closed.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NoDatabaseConfiguredCondition.class)
class EmbeddedDatabaseConfiguration {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);
    private static final String DATABASE = "postgres";

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(EmbeddedPostgresProperties properties) {
        var dataDir = properties.dataDir().toAbsolutePath().normalize();
        log.info("No database URL configured (SWITCHBOARD_DATABASE_URL / spring.datasource.url): starting embedded PostgreSQL with data in {}",
                dataDir);
        try {
            return EmbeddedPostgres.builder().dataDirectory(dataDir).port(properties.port())
                    // Spring stops it (bean destroy) after the workers and the pool, not a parallel JVM hook.
                    .registerShutdownHook(false)
                    .start();
        } catch (RuntimeException e) {
            throw new EmbeddedDatabaseStartException(dataDir, e);
        }
    }

    @Bean
    JdbcConnectionDetails embeddedPostgresConnectionDetails(EmbeddedPostgres postgres) {
        return new JdbcConnectionDetails() {
            @Override
            public String getUsername() {
                return "postgres";
            }

            @Override
            public String getPassword() {
                return null;
            }

            @Override
            public String getJdbcUrl() {
                return postgres.jdbcUrl(DATABASE);
            }

            @Override
            public String getDriverClassName() {
                return "org.postgresql.Driver";
            }
        };
    }
}
