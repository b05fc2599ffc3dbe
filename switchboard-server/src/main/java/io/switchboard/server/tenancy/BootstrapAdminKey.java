package io.switchboard.server.tenancy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

import java.io.PrintStream;

/**
 * On the first start (no platform-admin key has ever existed), creates one and prints it once to stdout. It is
 * never shown again: later starts find a platform key (even a revoked one) and print nothing. The log only says
 * that a key was created, with its prefix.
 */
class BootstrapAdminKey implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private final PlatformKeys keys;
    private final boolean enabled;
    private final PrintStream out;

    BootstrapAdminKey(PlatformKeys keys, boolean enabled, PrintStream out) {
        this.keys = keys;
        this.enabled = enabled;
        this.out = out;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!enabled) {
            return;
        }
        keys.bootstrap().ifPresent(key -> {
            out.println("""

                    ==================================================================================
                      Switchboard bootstrap platform-admin API key (shown ONCE, store it now):

                        %s

                      Use it as:  Authorization: Bearer <key>
                    ==================================================================================
                    """.formatted(key.key()));
            out.flush();
            log.warn("Created the bootstrap platform-admin API key (prefix {}); it was printed once to stdout", key.prefix());
        });
    }
}
