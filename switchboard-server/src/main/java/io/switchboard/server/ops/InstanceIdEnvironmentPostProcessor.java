package io.switchboard.server.ops;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;

/**
 * Fixes this instance's id ({@code switchboard.jobs.instance-id}) before logging starts, so that every log line,
 * from the first, carries the same id as the engine's workers, leases and metrics. A configured id is kept;
 * otherwise host, pid and a random suffix, as the engine would choose.
 */
class InstanceIdEnvironmentPostProcessor implements EnvironmentPostProcessor {
    static final String PROPERTY = "switchboard.jobs.instance-id";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String configured = environment.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource("switchboardInstanceId",
                Map.of(PROPERTY, host() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8))));
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
