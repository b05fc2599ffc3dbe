package io.switchboard.server.database;

import io.switchboard.postgres.embedded.EmbeddedPostgres;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ServerTests;
import io.switchboard.server.SwitchboardServerApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** With no database URL the server runs its own PostgreSQL, whose data outlives the server. */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedDatabaseModeTest {
    private static final Pattern BOOTSTRAP_KEY = Pattern.compile("shown ONCE, store it now\\):\\s+(sb_[0-9a-f]{12}_[A-Za-z0-9_-]{43})");

    private Path root;

    @BeforeEach
    void traversableTempDirectory() throws IOException {
        root = Files.createTempDirectory("switchboard-server-embedded-");
        // When tests run as root, PostgreSQL runs as 'nobody' and must be able to enter the directory.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    }

    @AfterEach
    void deleteTempDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void withoutADatabaseUrlTheServerRunsEmbeddedPostgresWhoseDataSurvivesARestartAndPrintsTheAdminKeyOnlyOnce(
            CapturedOutput output) {
        Path dataDir = root.resolve("postgres");
        long id;
        EmbeddedPostgres firstPostgres;
        try (ConfigurableApplicationContext app = start(dataDir)) {
            Matcher banner = BOOTSTRAP_KEY.matcher(output.getOut());
            assertThat(banner.find()).as("bootstrap key banner on stdout").isTrue();
            ApiClient api = new ApiClient(port(app), banner.group(1));
            assertThat(output.getAll()).as("the key is printed once and never logged")
                    .containsOnlyOnce(banner.group(1));
            JsonNode health = api.get("/actuator/health").json();
            assertThat(health.get("status").asString()).isEqualTo("UP");
            assertThat(health.get("components").get("db").get("status").asString()).isEqualTo("UP");
            id = api.enqueue("""
                    {"kind": "noop", "args": {"kept": true}, "delayMs": 600000}""");
            firstPostgres = app.getBean(EmbeddedPostgres.class);
            assertThat(firstPostgres.dataDirectory()).isEqualTo(dataDir.toAbsolutePath());
        }
        assertThat(firstPostgres.isRunning()).as("embedded PostgreSQL stopped with the server").isFalse();
        assertThat(dataDir.resolve("PG_VERSION")).exists();

        int printedBefore = output.getOut().length();
        try (ConfigurableApplicationContext app = start(dataDir)) {
            assertThat(output.getOut().substring(printedBefore)).as("no key printed on a later start")
                    .doesNotContain("shown ONCE").doesNotContainPattern("sb_[0-9a-f]{12}_");
            ApiClient api = ServerTests.adminClient(app, port(app));
            assertThat(api.get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
            JsonNode job = api.get("/api/jobs/" + id).json();
            assertThat(job.get("state").asString()).isEqualTo("scheduled");
            assertThat(job.get("args").get("kept").asBoolean()).isTrue();
        }
    }

    @Test
    void dataDirectoryPostgresCannotEnterFailsStartupWithAClearMessage() throws IOException {
        assumeTrue(isRoot(), "only a JVM running as root hands the data directory to another user");
        Path locked = Files.createDirectory(root.resolve("locked"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        assertThatThrownBy(() -> start(locked.resolve("postgres")).close())
                .satisfies(e -> assertThat(findCause(e, EmbeddedDatabaseStartException.class))
                        .as("cause of %s", e)
                        .isNotNull()
                        .satisfies(cause -> assertThat(cause.getMessage()).contains("cannot enter").contains(locked.toString())));
    }

    private static ConfigurableApplicationContext start(Path dataDir) {
        return new SpringApplicationBuilder(SwitchboardServerApplication.class).run(
                "--server.port=0",
                // Blank on purpose: neither SWITCHBOARD_DATABASE_URL nor spring.datasource.url of the environment applies.
                "--spring.datasource.url=",
                "--switchboard.embedded.data-dir=" + dataDir);
    }

    private static int port(ConfigurableApplicationContext app) {
        return Integer.parseInt(Objects.requireNonNull(app.getEnvironment().getProperty("local.server.port")));
    }

    private static boolean isRoot() throws IOException {
        return Objects.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS), 0);
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
