package io.switchboard.server;

import io.switchboard.Switchboard;
import io.switchboard.server.tenancy.PlatformKeys;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Shared steps of the server's Spring Boot tests. */
public final class ServerTests {
    private static final Map<ApplicationContext, String> ADMIN_KEYS = Collections.synchronizedMap(new WeakHashMap<>());

    private ServerTests() {
    }

    /**
     * Stops the context's workers. Call it from {@code @AfterAll}: JUnit drops the test class's database before
     * Spring closes the context ({@code @DirtiesContext}), and workers would otherwise poll a database that is gone.
     */
    public static void stopWorkers(ApplicationContext context) {
        context.getBean(Switchboard.class).stop(Duration.ofSeconds(5));
    }

    /** A platform-admin API key of the context's database, issued directly (not the printed bootstrap key). */
    public static String adminKey(ApplicationContext context) {
        return ADMIN_KEYS.computeIfAbsent(context, c -> c.getBean(PlatformKeys.class).issue("test platform admin"));
    }

    /** A client on {@code port} authenticated as platform admin. */
    public static ApiClient adminClient(ApplicationContext context, int port) {
        return new ApiClient(port, adminKey(context));
    }

    /** Starts a server on {@code jdbcUrl} with {@code settings} (command-line style), which must fail; returns why. */
    public static Throwable startFailure(String jdbcUrl, String... settings) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url=" + jdbcUrl));
        args.addAll(List.of(settings));
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> new SpringApplicationBuilder(SwitchboardServerApplication.class)
                .run(args.toArray(String[]::new)).close())
                .satisfies(e -> thrown[0] = e);
        return thrown[0];
    }

    /** The first throwable of {@code type} in the cause chain of {@code e}, or null. */
    public static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
