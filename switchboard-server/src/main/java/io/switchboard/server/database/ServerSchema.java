package io.switchboard.server.database;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/**
 * The server's own tables (organizations, users, API keys, ...) in schema {@value #SCHEMA}, migrated by Flyway
 * from {@value #LOCATION} with history table {@code app.server_schema_history}, separate from the core engine's.
 * A bean of this type exists once the migration has run; beans that use these tables depend on it.
 */
public final class ServerSchema {
    public static final String SCHEMA = "app";
    public static final String LOCATION = "classpath:io/switchboard/server/db/migration";

    private ServerSchema() {
    }

    /** Applies every pending server migration; safe from several instances at once (Flyway locks). */
    public static ServerSchema migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table("server_schema_history")
                .locations(LOCATION)
                .load()
                .migrate();
        return new ServerSchema();
    }
}
