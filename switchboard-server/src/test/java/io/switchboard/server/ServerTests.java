package io.switchboard.server;

import io.switchboard.Switchboard;
import org.springframework.context.ApplicationContext;

import java.time.Duration;

/** Shared steps of the server's Spring Boot tests. */
public final class ServerTests {
    private ServerTests() {
    }

    /**
     * Stops the context's workers. Call it from {@code @AfterAll}: JUnit drops the test class's database before
     * Spring closes the context ({@code @DirtiesContext}), and workers would otherwise poll a database that is gone.
     */
    public static void stopWorkers(ApplicationContext context) {
        context.getBean(Switchboard.class).stop(Duration.ofSeconds(5));
    }
}
