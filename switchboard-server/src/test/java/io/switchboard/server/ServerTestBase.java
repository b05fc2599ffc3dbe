package io.switchboard.server;

import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A server on a random port over a fresh database of its own, and {@link #api} authenticated as platform admin.
 * Subclasses may redeclare {@code @SpringBootTest} to add properties.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
public abstract class ServerTestBase {
    @RegisterExtension
    protected static final PostgresDatabase db = PostgresDatabase.shared();

    @DynamicPropertySource
    protected static void serverDatabase(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", db::jdbcUrl);
    }

    @AfterAll
    protected static void stopWorkersBeforeTheDatabaseGoesAway(ApplicationContext context) {
        ServerTests.stopWorkers(context);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected ApplicationContext context;

    /** Authenticated as platform admin. */
    protected ApiClient api;

    @BeforeEach
    protected void platformAdminClient() {
        api = ServerTests.adminClient(context, port);
    }
}
