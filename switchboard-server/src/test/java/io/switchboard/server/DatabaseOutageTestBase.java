package io.switchboard.server;

import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A server on a random port over a PostgreSQL server of its own that the test may stop and start
 * ({@code db.stopServer()}, {@code db.startServer()}); connections fail after 1 s while it is down. Subclasses may
 * redeclare {@code @SpringBootTest} to add properties.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
public abstract class DatabaseOutageTestBase {
    @RegisterExtension
    protected static final PostgresDatabase db = PostgresDatabase.dedicated();

    @DynamicPropertySource
    protected static void restartableDatabase(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
    }

    @AfterAll
    protected static void stopWorkersBeforeTheDatabaseGoesAway(ApplicationContext context) {
        ServerTests.stopWorkers(context);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected ApplicationContext context;
}
