package io.switchboard.db;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.util.Objects;

/**
 * Installs and upgrades Switchboard's own tables in the {@value #SCHEMA} schema, with a history table of
 * its own so it never interferes with the application's migrations. Safe to run from several instances at
 * once (Flyway serialises them with a database lock).
 */
public final class SchemaMigration {
    /** The PostgreSQL schema holding every Switchboard table. */
    public static final String SCHEMA = "switchboard";

    private SchemaMigration() {
    }

    /** Applies every pending migration of the engine to the database behind {@code dataSource}. */
    public static void migrate(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table("switchboard_schema_history")
                .locations("classpath:io/switchboard/db/migration")
                .load()
                .migrate();
    }
}
