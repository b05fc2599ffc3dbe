package io.switchboard.server.webhooks;

import io.switchboard.server.SwitchboardServerApplication;
import io.switchboard.server.tenancy.PlatformKeys;
import io.switchboard.server.webhooks.processing.WebhookEvent;
import io.switchboard.server.webhooks.processing.WebhookEventHandler;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * The server, started as its own main does, plus a Stripe {@code invoice.paid} handler that logs every application
 * of an event's effect in {@code app.crash_effects} (no unique constraint, so a second application would show):
 * for {@link WebhookCrashTest}, in a JVM of its own. Prints READY, the port and a platform-admin API key.
 */
public final class WebhookCrashTestServer {
    private WebhookCrashTestServer() {
    }

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SwitchboardServerApplication.class, EffectLog.class)
                .run(args);
        // A platform-admin key for the test to call the API with (a test server, so printing it is fine).
        String adminKey = context.getBean(PlatformKeys.class).issue("crash test");
        System.out.println("READY " + context.getEnvironment().getProperty("local.server.port") + " " + adminKey);
        System.out.flush();
    }

    /** Not annotated, so component scanning of other tests never picks it up. */
    static class EffectLog {
        @Bean
        WebhookEventHandler effectLog(Environment environment) {
            String instance = environment.getRequiredProperty("switchboard.jobs.instance-id");
            return new WebhookEventHandler() {
                @Override
                public String provider() {
                    return "stripe";
                }

                @Override
                public boolean handles(String eventType) {
                    return eventType.equals("invoice.paid");
                }

                @Override
                public void handle(WebhookEvent event, Connection connection) throws Exception {
                    // The effect, then a pause inside the still-open transaction, named so the test sees it in
                    // pg_stat_activity and kills the server while effects are written but not yet committed.
                    try (PreparedStatement ps = connection.prepareStatement(
                            "INSERT INTO app.crash_effects (event_id, instance) VALUES (?, ?)")) {
                        ps.setLong(1, event.id());
                        ps.setString(2, instance);
                        ps.executeUpdate();
                    }
                    try (Statement pause = connection.createStatement()) {
                        pause.execute("SELECT pg_sleep(0.05) /* effect pause " + instance + " */");
                    }
                }
            };
        }
    }
}
