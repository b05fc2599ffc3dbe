package io.switchboard.server.schedules;

import io.switchboard.Switchboard;
import io.switchboard.schedule.Schedule;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.schedules.heartbeat.every=1s",
        "switchboard.schedules.heartbeat.kind=log",
        "switchboard.schedules.heartbeat.args.message=tick from heartbeat",
        "switchboard.schedules.pausable.every=1s",
        "switchboard.schedules.pausable.kind=noop",
        "switchboard.schedules.nightly.cron=0 3 * * *",
        "switchboard.schedules.nightly.zone=Europe/Paris",
        "switchboard.schedules.nightly.kind=log",
        "switchboard.schedules.nightly.args.message=nightly report",
        "switchboard.schedules.nightly.missed-slots=run-once",
        "switchboard.maintenance.prune-history-every=2h",
})
@Import(ScheduleApiTest.BeanSchedule.class)
class ScheduleApiTest extends ServerTestBase {
    /** A schedule supplied the way code adds its own: a {@link Schedule} bean. */
    @TestConfiguration
    static class BeanSchedule {
        static final AtomicInteger RUNS = new AtomicInteger();

        @Bean
        Schedule newYearsSchedule() {
            return Schedule.cron("from-bean", "0 0 1 1 *", ZoneOffset.UTC, ctx -> RUNS.incrementAndGet());
        }
    }

    @Autowired
    Switchboard switchboard;

    @Test
    void intervalScheduleFiresEverySecondAndEachRunEnqueuesItsJob() throws SQLException {
        JsonNode run = awaitRun("heartbeat", r -> r.get("status").asString().equals("succeeded"));

        assertThat(run.get("schedule").asString()).isEqualTo("heartbeat");
        assertThat(run.get("manual").asBoolean()).isFalse();
        assertThat(Instant.parse(run.get("slotAt").asString()).getNano()).as("slots fall on whole seconds").isZero();
        assertThat(run.get("firedBy").asString()).isEqualTo(switchboard.instanceId());
        assertThat(run.get("instanceId").asString()).isEqualTo(switchboard.instanceId());
        assertThat(run.get("attempt").asInt()).isEqualTo(1);
        assertThat(run.get("error").isNull()).isTrue();
        assertThat(run.get("durationMs").asLong()).isNotNegative();
        for (String time : List.of("slotAt", "firedAt", "startedAt", "finishedAt")) {
            assertThat(run.get(time).asString()).as(time).endsWith("Z");
        }
        // The run is carried by a job of the schedules queue ...
        JsonNode carrier = api.awaitState(run.get("jobId").asLong(), "completed");
        assertThat(carrier.get("queue").asString()).isEqualTo("schedules");
        assertThat(carrier.get("kind").asString()).isEqualTo("schedule:heartbeat");
        // ... whose success committed together with the configured job, which then ran.
        JsonNode logJob = api.awaitState(firstJobId("log", "tick from heartbeat"), "completed");
        assertThat(logJob.get("args").get("message").asString()).isEqualTo("tick from heartbeat");

        JsonNode schedule = api.get("/api/schedules/heartbeat").json();
        assertThat(schedule.get("trigger").asString()).isEqualTo("every:PT1S");
        assertThat(schedule.get("paused").asBoolean()).isFalse();
        assertThat(Instant.parse(schedule.get("nextSlotAt").asString()))
                .isAfter(Instant.parse(run.get("slotAt").asString()));
        assertThat(schedule.get("lastRun").get("schedule").asString()).isEqualTo("heartbeat");
        assertThat(api.get("/api/schedules/heartbeat/runs?limit=1").json().get("runs")).hasSize(1);
    }

    @Test
    void pausedScheduleStopsFiringAndResumedScheduleFiresAgain() throws InterruptedException {
        awaitRun("pausable", r -> r.get("status").asString().equals("succeeded"));

        Response paused = api.post("/api/schedules/pausable/pause", null);

        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        // Pausing waits for a slot being fired right now, so no run after this one can appear.
        long lastBeforePause = latestRunId("pausable");
        Thread.sleep(2_500);
        assertThat(latestRunId("pausable")).as("runs while paused").isEqualTo(lastBeforePause);

        Response resumed = api.post("/api/schedules/pausable/resume", null);

        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.json().get("paused").asBoolean()).isFalse();
        awaitRun("pausable", r -> r.get("id").asLong() > lastBeforePause && r.get("status").asString().equals("succeeded"));
    }

    @Test
    void triggeredScheduleRunsNowAsAManualRun() throws SQLException {
        Instant before = Instant.now().minusSeconds(1);

        Response triggered = api.post("/api/schedules/nightly/trigger", null);

        assertThat(triggered.status()).isEqualTo(201);
        JsonNode run = triggered.json();
        assertThat(run.get("schedule").asString()).isEqualTo("nightly");
        assertThat(run.get("manual").asBoolean()).isTrue();
        assertThat(run.get("status").asString()).isIn("pending", "running", "succeeded");
        assertThat(Instant.parse(run.get("slotAt").asString())).isBetween(before, Instant.now().plusSeconds(1));
        long id = run.get("id").asLong();
        JsonNode done = awaitRun("nightly", r -> r.get("id").asLong() == id && r.get("status").asString().equals("succeeded"));
        assertThat(done.get("jobId").isNull()).isFalse();
        api.awaitState(firstJobId("log", "nightly report"), "completed");
    }

    @Test
    void scheduleBeanIsRegisteredAndCanBeTriggered() {
        int before = BeanSchedule.RUNS.get();
        JsonNode schedule = api.get("/api/schedules/from-bean").json();
        assertThat(schedule.get("trigger").asString()).isEqualTo("cron:0 0 1 1 *@Z");

        long id = api.post("/api/schedules/from-bean/trigger", null).json().get("id").asLong();

        awaitRun("from-bean", r -> r.get("id").asLong() == id && r.get("status").asString().equals("succeeded"));
        assertThat(BeanSchedule.RUNS.get()).isEqualTo(before + 1);
    }

    @Test
    void listShowsConfiguredBeanAndMaintenanceSchedules() {
        Response list = api.get("/api/schedules");

        assertThat(list.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        list.json().get("schedules").forEach(s -> names.add(s.get("name").asString()));
        assertThat(names).contains("heartbeat", "pausable", "nightly", "from-bean",
                "switchboard.prune-jobs", "switchboard.cleanup-leases", "switchboard.prune-history");
        JsonNode nightly = api.get("/api/schedules/nightly").json();
        assertThat(nightly.get("trigger").asString()).isEqualTo("cron:0 3 * * *@Europe/Paris");
        assertThat(Instant.parse(nightly.get("nextSlotAt").asString()).atZone(java.time.ZoneId.of("Europe/Paris")).getHour())
                .isEqualTo(3);
        // switchboard.maintenance.* reaches the built-in schedules.
        assertThat(api.get("/api/schedules/switchboard.prune-history").json().get("trigger").asString()).isEqualTo("every:PT2H");
        assertThat(api.get("/api/schedules/switchboard.prune-jobs").json().get("trigger").asString()).isEqualTo("every:PT1M");
    }

    @Test
    void unknownScheduleIsA404Problem() {
        List<Response> responses = List.of(
                api.get("/api/schedules/no-such-schedule"),
                api.get("/api/schedules/no-such-schedule/runs"),
                api.post("/api/schedules/no-such-schedule/pause", null),
                api.post("/api/schedules/no-such-schedule/resume", null),
                api.post("/api/schedules/no-such-schedule/trigger", null));

        for (Response response : responses) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:schedule-not-found");
            assertThat(response.json().get("detail").asString()).contains("no-such-schedule");
            assertThat(response.json().get("knownSchedules").toString()).contains("heartbeat");
        }
    }

    @Test
    void runLimitOutOfRangeOrNotANumberIsA400Problem() {
        for (String limit : List.of("0", "1001", "ten")) {
            Response response = api.get("/api/schedules/heartbeat/runs?limit=" + limit);

            assertThat(response.status()).as("limit=%s", limit).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:invalid-request");
            assertThat(response.json().get("detail").asString()).contains("limit");
        }
    }

    @Test
    void prometheusShowsScheduleGauges() {
        awaitRun("heartbeat", r -> r.get("status").asString().equals("succeeded"));

        String scrape = api.get("/actuator/prometheus").body();

        assertThat(scrape)
                .contains("switchboard_schedule_next_slot_seconds{schedule=\"heartbeat\"}")
                .contains("switchboard_schedule_paused{schedule=\"nightly\"}")
                .contains("switchboard_schedule_last_run_duration_seconds{schedule=\"heartbeat\"}")
                .contains("switchboard_schedule_last_run_success{schedule=\"switchboard.prune-jobs\"}")
                .contains("switchboard_leases_held")
                .contains("switchboard_instances_alive");
    }

    private JsonNode awaitRun(String schedule, Predicate<JsonNode> condition) {
        Instant deadline = Instant.now().plusSeconds(15);
        JsonNode runs;
        do {
            Response response = api.get("/api/schedules/" + schedule + "/runs?limit=20");
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            runs = response.json().get("runs");
            for (JsonNode run : runs) {
                if (condition.test(run)) {
                    return run;
                }
            }
            sleep();
        } while (Instant.now().isBefore(deadline));
        return fail("no run of '" + schedule + "' as expected within 15 s; latest: " + runs);
    }

    private long latestRunId(String schedule) {
        long max = 0;
        for (JsonNode run : api.get("/api/schedules/" + schedule + "/runs?limit=1000").json().get("runs")) {
            max = Math.max(max, run.get("id").asLong());
        }
        return max;
    }

    /** The first job of {@code kind} with that message, waiting for it to be enqueued. */
    private static long firstJobId(String kind, String message) throws SQLException {
        Instant deadline = Instant.now().plusSeconds(10);
        try (Connection connection = db.connect(); PreparedStatement ps = connection.prepareStatement(
                "SELECT min(id) FROM switchboard.jobs WHERE kind = ? AND args->>'message' = ?")) {
            ps.setString(1, kind);
            ps.setString(2, message);
            do {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long id = rs.getLong(1);
                    if (!rs.wasNull()) {
                        return id;
                    }
                }
                sleep();
            } while (Instant.now().isBefore(deadline));
        }
        return fail("no job of kind " + kind + " with message '" + message + "'");
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
