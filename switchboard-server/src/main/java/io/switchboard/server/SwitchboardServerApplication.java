package io.switchboard.server;

import io.switchboard.server.ops.SigtermShutdown;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The Switchboard service. With no database configured it runs an embedded PostgreSQL whose data lives in
 * {@code ./data/postgres}; set {@code SWITCHBOARD_DATABASE_URL} to use a PostgreSQL server of your own.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling // refreshes of the gauges read from the database (schedules, leases, instances)
public class SwitchboardServerApplication {
    public static void main(String[] args) {
        SigtermShutdown.install(SpringApplication.run(SwitchboardServerApplication.class, args));
    }
}
