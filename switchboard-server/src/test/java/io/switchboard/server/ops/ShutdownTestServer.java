package io.switchboard.server.ops;

import io.switchboard.jobs.JobKind;
import io.switchboard.server.SwitchboardServerApplication;
import io.switchboard.server.jobs.JobHandlerRegistration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import io.switchboard.server.tenancy.PlatformKeys;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server, started as its own main does, plus a slow endpoint and a slow job kind that each wait until the
 * test creates a file: for {@link GracefulShutdownTest}, in a JVM of its own. Prints READY, the port and a platform-admin API key.
 */
public final class ShutdownTestServer {
    private ShutdownTestServer() {
    }

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SwitchboardServerApplication.class, SlowWork.class)
                .run(args);
        SigtermShutdown.install(context);
        // A platform-admin key for the test to call the API with (a test server, so printing it is fine).
        String adminKey = context.getBean(PlatformKeys.class).issue("shutdown test");
        System.out.println("READY " + context.getEnvironment().getProperty("local.server.port") + " " + adminKey);
        System.out.flush();
    }

    /** Not annotated, so component scanning of other tests never picks it up. */
    static class SlowWork {
        @SuppressWarnings({"rawtypes", "unchecked"})
        static final JobKind<Map<String, Object>> SLOW = (JobKind) JobKind.of("slow", Map.class);

        @Bean
        RouterFunction<ServerResponse> slowRequest(Environment environment) {
            Path release = Path.of(environment.getRequiredProperty("test.release-dir")).resolve("request");
            return RouterFunctions.route().GET("/test/slow", request -> {
                System.out.println("SLOW-REQUEST-STARTED");
                System.out.flush();
                awaitFile(release);
                return ServerResponse.ok().body("slow request done");
            }).build();
        }

        @Bean
        JobHandlerRegistration<Map<String, Object>> slowJob(Environment environment) {
            Path release = Path.of(environment.getRequiredProperty("test.release-dir")).resolve("job");
            return JobHandlerRegistration.of(SLOW, (args, context) -> {
                System.out.println("SLOW-JOB-STARTED");
                System.out.flush();
                awaitFile(release);
            });
        }

        private static void awaitFile(Path file) throws InterruptedException {
            while (!Files.exists(file)) {
                Thread.sleep(20);
            }
        }
    }
}
