package io.switchboard.server.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

/**
 * SIGTERM as a planned stop: the context is closed (the web server stops accepting connections and drains
 * in-flight requests, then the workers finish running jobs, each up to its timeout) and the process exits with
 * status 0. Without this the JVM would run the same shutdown but exit with 143, which supervisors report as a
 * crash.
 */
public final class SigtermShutdown {
    private static final Logger log = LoggerFactory.getLogger(SigtermShutdown.class);

    private SigtermShutdown() {
    }

    /** Installs the SIGTERM handler for {@code context}; call once the application has started. */
    public static void install(ConfigurableApplicationContext context) {
        try {
            Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().name("switchboard-sigterm").start(() -> {
                log.info("SIGTERM: stopping gracefully");
                int status = SpringApplication.exit(context);
                log.info("Stopped; exiting with status {}", status);
                System.exit(status);
            }));
        } catch (IllegalArgumentException e) {
            // A JVM run with -Xrs or on a platform without SIGTERM: the default shutdown hook still stops gracefully.
            log.warn("Could not handle SIGTERM ({}); the JVM's shutdown hook stops the server instead", e.getMessage());
        }
    }
}
