package io.switchboard.postgres.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedPostgresTest {

    /** JUnit's temporary folders are private; the server may run as another user (see EmbeddedPostgres). */
    private static Path traversable(Path dir) throws Exception {
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    @Test
    void dataSurvivesARestartOfTheServer(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().dataDirectory(traversable(dir).resolve("data")).start()) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('still here')");
            }
            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            pg.start();
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
        }
    }

    @Test
    void aNonEmptyDirectoryThatIsNoClusterIsRefused(@TempDir Path dir) throws Exception {
        Path data = traversable(dir).resolve("data");
        java.nio.file.Files.createDirectories(data);
        java.nio.file.Files.writeString(data.resolve("precious.txt"), "do not overwrite");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().dataDirectory(data).build();
        assertThatThrownBy(pg::start).hasMessageContaining("Could not start");
        assertThat(java.nio.file.Files.readString(data.resolve("precious.txt"))).isEqualTo("do not overwrite");
    }

    @Test
    void invalidPortIsRejected() {
        assertThatThrownBy(() -> EmbeddedPostgres.builder().port(70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }
}
