package io.switchboard.schedule;

import io.switchboard.db.SchemaMigration;
import io.switchboard.jobs.WorkerJvms;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real JVMs run the same schedules against one database for half a minute while two of them are killed
 * with SIGKILL and restarted, and two have wall clocks hours off (an LD_PRELOAD shim shifts their clock).
 * Every slot must run exactly once: no duplicate, no gap.
 */
class ClusterScheduleTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private final WorkerJvms jvms = new WorkerJvms();

    @BeforeAll
    static void setUp() throws Exception {
        ds = db.dataSource(5);
        SchemaMigration.migrate(ds);
        sql("CREATE TABLE slot_effects (schedule text NOT NULL, slot timestamptz NOT NULL, instance text NOT NULL)");
    }

    @AfterEach
    void tearDown() {
        jvms.close();
    }

    @Test
    void everySlotRunsExactlyOnceAcrossThreeJvmsWithKillsAndSkewedClocks() throws Exception {
        Path shim = compileClockShim();
        Map<String, String> threeHoursAhead = Map.of("LD_PRELOAD", shim.toString(), "SWITCHBOARD_CLOCK_SKEW_SECONDS", "10800");
        Map<String, String> twoHoursBehind = Map.of("LD_PRELOAD", shim.toString(), "SWITCHBOARD_CLOCK_SKEW_SECONDS", "-7200");

        Process a = start("a", Map.of());
        Process b = start("b", threeHoursAhead);
        Process c = start("c", twoHoursBehind);
        Thread.sleep(8_000);
        WorkerJvms.kill(a);
        Thread.sleep(3_000);
        Process a2 = start("a2", Map.of());
        Thread.sleep(8_000);
        WorkerJvms.kill(b);
        Thread.sleep(3_000);
        Process b2 = start("b2", threeHoursAhead);
        Thread.sleep(8_000);

        Instant checkedUntil = dbNow().minusSeconds(3);
        Thread.sleep(4_000); // let the last checked slots finish (a rescued run takes lease + sweep)
        for (Process p : List.of(c, a2, b2)) {
            WorkerJvms.stopGracefully(p);
        }

        long duplicates = count("SELECT count(*) FROM (SELECT schedule, slot FROM slot_effects GROUP BY 1, 2 HAVING count(*) > 1) d");
        assertThat(duplicates).as("slots whose effect was applied twice").isZero();
        assertThat(count("SELECT count(*) FROM (SELECT schedule, slot_at FROM switchboard.schedule_runs "
                + "WHERE NOT manual GROUP BY 1, 2 HAVING count(*) > 1) d")).as("slots fired twice").isZero();

        long checkedSlots = 0;
        for (int i = 0; i < ScheduleProcess.SCHEDULES; i++) {
            String schedule = "tick-" + i;
            List<Instant> slots = slots("SELECT slot FROM slot_effects WHERE schedule = '" + schedule + "' AND slot <= '"
                    + checkedUntil + "' ORDER BY slot");
            assertThat(slots).isNotEmpty();
            for (int s = 1; s < slots.size(); s++) {
                assertThat(Duration.between(slots.get(s - 1), slots.get(s))).as("gap in %s after %s", schedule, slots.get(s - 1))
                        .isEqualTo(ScheduleProcess.INTERVAL);
            }
            checkedSlots += slots.size();
            assertThat(count("SELECT count(*) FROM switchboard.schedule_runs WHERE schedule = '" + schedule
                    + "' AND slot_at <= '" + checkedUntil + "' AND status <> 'succeeded'")).as("unsuccessful runs of " + schedule).isZero();
        }
        assertThat(checkedSlots).as("slots checked").isGreaterThanOrEqualTo(1_000);
        assertThat(count("SELECT count(DISTINCT instance) FROM slot_effects")).as("every JVM took part").isGreaterThanOrEqualTo(4);
        System.out.printf("checked %d slots of %d schedules; rescued runs: %d%n", checkedSlots, ScheduleProcess.SCHEDULES,
                count("SELECT count(*) FROM switchboard.jobs WHERE errors::text LIKE '%lease expired%'"));
    }

    private Process start(String name, Map<String, String> env) throws Exception {
        return jvms.start(ScheduleProcess.class.getName(), name, env, db.jdbcUrl(), name);
    }

    private static Path compileClockShim() throws Exception {
        Path dir = Files.createTempDirectory("clock-skew");
        Path source = dir.resolve("skew.c");
        try (InputStream in = ClusterScheduleTest.class.getResourceAsStream("/clock-skew/skew.c")) {
            Files.copy(in, source);
        }
        Path library = dir.resolve("skew.so");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", library.toString(), source.toString(), "-ldl")
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes());
        if (gcc.waitFor() != 0) {
            throw new AssertionError("could not compile the clock-skew shim with gcc: " + output);
        }
        return library;
    }

    private static Instant dbNow() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    private static List<Instant> slots(String sql) throws Exception {
        List<Instant> slots = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                slots.add(rs.getObject(1, OffsetDateTime.class).toInstant());
            }
        }
        return slots;
    }

    private static void sql(String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
