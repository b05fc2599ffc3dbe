package io.switchboard.db;

import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaMigrationTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @Test
    void pendingMigrationsListsEveryMigrationUntilTheyAreAppliedAndAnyThatGoesMissing() throws Exception {
        DataSource ds = db.dataSource(2);
        List<String> beforeMigrating = SchemaMigration.pendingMigrations(ds);
        assertThat(beforeMigrating).startsWith("1", "2", "3");

        SchemaMigration.migrate(ds);
        assertThat(SchemaMigration.pendingMigrations(ds)).isEmpty();

        // A version missing below the newest applied one (Flyway calls it IGNORED) is not applied either.
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM switchboard.switchboard_schema_history WHERE version = '2'");
        }
        assertThat(SchemaMigration.pendingMigrations(ds)).containsExactly("2");
    }
}
