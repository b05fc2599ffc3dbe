package io.switchboard.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;
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
        flyway(dataSource).migrate();
    }

    /**
     * Versions of the engine's migrations (on the class path) not applied to the database behind {@code dataSource}, oldest
     * first; empty when the schema is up to date. Readiness checks use it: an instance whose engine expects
     * tables that are not there must not take traffic.
     */
    public static List<String> pendingMigrations(DataSource dataSource) {
        // Not only PENDING: a missing version below the newest applied one is IGNORED by Flyway, and missing too.
        return Arrays.stream(flyway(dataSource).info().all())
                .filter(m -> m.getVersion() != null && m.getState().isResolved() && !m.getState().isApplied())
                .map(MigrationInfo::getVersion)
                .map(Object::toString)
                .toList();
    }

    private static Flyway flyway(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table("switchboard_schema_history")
                .locations("classpath:io/switchboard/db/migration")
                .load();
    }
}
