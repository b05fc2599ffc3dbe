package io.switchboard.server.database;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;

/**
 * The embedded PostgreSQL started when no database URL is configured.
 *
 * @param dataDir where the cluster's files live; kept across restarts ({@code SWITCHBOARD_DATA_DIR})
 * @param port    TCP port on 127.0.0.1; 0 picks a free one at every start
 */
@ConfigurationProperties("switchboard.embedded")
public record EmbeddedPostgresProperties(@DefaultValue("./data/postgres") Path dataDir, @DefaultValue("0") int port) {
}
