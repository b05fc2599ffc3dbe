package io.switchboard.server.jobs;

import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.KindOptions;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Import(JobApiTest.SlowJob.class)
class JobApiTest extends ServerTestBase {
    @DynamicPropertySource
    static void queues(DynamicPropertyRegistry registry) {
        // A short lease on the test kind's queue: heartbeats, and so cancel checks, come often.
        registry.add("switchboard.jobs.queues.slow.lease", () -> "1s");
    }

    /** A handler supplied the way users add their own: a {@link JobHandlerRegistration} bean. */
    @TestConfiguration
    static class SlowJob {
        record SlowArgs(long millis) {
        }

        @Bean
        JobHandlerRegistration<SlowArgs> slowJob() {
            return new JobHandlerRegistration<>(JobKind.of("slow", SlowArgs.class), KindOptions.defaults().inQueue("slow"),
                    (args, context) -> {
                        Instant until = Instant.now().plusMillis(args.millis());
                        while (Instant.now().isBefore(until) && !context.isCancellationRequested()) {
                            Thread.sleep(10);
                        }
                    });
        }
    }

    @Test
    void enqueuedJobIsCreatedAndRunsToCompletion() {
        Response created = api.post("/api/jobs", """
                {"kind": "log", "args": {"message": "hello from a test"}, "priority": 5}""");

        assertThat(created.status()).isEqualTo(201);
        long id = created.json().get("id").asLong();
        assertThat(created.header("Location")).isEqualTo("/api/jobs/" + id);
        assertThat(created.json().get("kind").asString()).isEqualTo("log");
        assertThat(created.json().get("queue").asString()).isEqualTo("default");
        assertThat(created.json().get("priority").asInt()).isEqualTo(5);

        JsonNode job = api.awaitState(id, "completed");
        assertThat(job.get("args").isObject()).isTrue();
        assertThat(job.get("args").get("message").asString()).isEqualTo("hello from a test");
        assertThat(job.get("attempt").asInt()).isEqualTo(1);
        assertThat(job.get("maxAttempts").asInt()).isEqualTo(10);
        assertThat(job.get("workerId").asString()).isNotBlank();
        assertThat(job.get("cancelRequested").asBoolean()).isFalse();
        assertThat(job.get("errors").isArray()).isTrue();
        assertThat(job.get("errors")).isEmpty();
        for (String time : List.of("runAt", "createdAt", "attemptedAt", "finishedAt")) {
            String value = job.get(time).asString();
            assertThat(value).as(time).endsWith("Z");
            assertThat(Instant.parse(value)).as(time).isBefore(Instant.now().plusSeconds(5));
        }
    }

    @Test
    void jobWithoutArgsGetsAnEmptyObject() {
        long id = api.enqueue("""
                {"kind": "noop"}""");

        JsonNode job = api.awaitState(id, "completed");
        assertThat(job.get("args").isObject()).isTrue();
        assertThat(job.get("args")).isEmpty();
    }

    @Test
    void delayedJobIsScheduledForLater() {
        Instant before = Instant.now();
        Response created = api.post("/api/jobs", """
                {"kind": "noop", "args": {"any": ["json", 1]}, "delayMs": 600000}""");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("state").asString()).isEqualTo("scheduled");
        assertThat(created.json().get("args").get("any").get(1).asInt()).isEqualTo(1);
        assertThat(Instant.parse(created.json().get("runAt").asString()))
                .isBetween(before.plusSeconds(590), before.plusSeconds(610));
    }

    @Test
    void jobAtAGivenTimeIsScheduledThen() {
        Response created = api.post("/api/jobs", """
                {"kind": "noop", "runAt": "2100-01-01T00:00:00+01:00"}""");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("state").asString()).isEqualTo("scheduled");
        assertThat(created.json().get("runAt").asString()).isEqualTo("2099-12-31T23:00:00Z");
    }

    @Test
    void sameUniqueKeyReturnsTheExistingJobWith200() {
        String body = """
                {"kind": "noop", "delayMs": 600000, "uniqueKey": "report-2030-01"}""";
        Response first = api.post("/api/jobs", body);
        Response second = api.post("/api/jobs", body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("id").asLong()).isEqualTo(first.json().get("id").asLong());
        assertThat(second.json().get("uniqueKey").asString()).isEqualTo("report-2030-01");
    }

    @Test
    void failingJobIsRetriedThenDeadLetteredListedAndReplayable() {
        long id = api.enqueue("""
                {"kind": "fail", "args": {"message": "card declined"}, "maxAttempts": 2}""");

        JsonNode dead = api.awaitState(id, "dead");
        assertThat(dead.get("attempt").asInt()).isEqualTo(2);
        assertThat(dead.get("errors")).hasSize(2);
        assertThat(dead.get("errors").get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(dead.get("errors").get(0).get("error").asString()).contains("card declined");
        assertThat(dead.get("errors").get(1).get("at").asString()).endsWith("Z");
        assertThat(dead.get("finishedAt").isNull()).isFalse();

        Response list = api.get("/api/jobs/dead?queue=default&limit=1000");
        assertThat(list.status()).isEqualTo(200);
        assertThat(ids(list.json().get("jobs"))).contains(id);

        Response replayed = api.post("/api/jobs/" + id + "/replay", null);
        assertThat(replayed.status()).isEqualTo(200);
        // A worker may claim the replayed job before the response is written, so it may be running already.
        assertThat(replayed.json().get("state").asString()).isIn("available", "running", "scheduled");
        assertThat(replayed.json().get("attempt").asInt()).isLessThanOrEqualTo(1);
        assertThat(replayed.json().get("errors").size()).isGreaterThanOrEqualTo(2);

        JsonNode deadAgain = api.awaitJob(id, job -> job.get("state").asString().equals("dead")
                && job.get("errors").size() == 4, Duration.ofSeconds(20));
        assertThat(deadAgain.get("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void deadJobsAreReplayedInBulkByKind() {
        long first = api.enqueue("""
                {"kind": "fail", "maxAttempts": 1}""");
        long second = api.enqueue("""
                {"kind": "fail", "maxAttempts": 1}""");
        api.awaitState(first, "dead");
        api.awaitState(second, "dead");

        Response replayed = api.post("/api/jobs/dead/replay", """
                {"kind": "fail", "queue": "default", "limit": 10000}""");

        assertThat(replayed.status()).isEqualTo(200);
        assertThat(replayed.json().get("replayed").asInt()).isGreaterThanOrEqualTo(2);
        api.awaitJob(first, job -> job.get("errors").size() == 2, Duration.ofSeconds(20));
        api.awaitJob(second, job -> job.get("errors").size() == 2, Duration.ofSeconds(20));
    }

    @Test
    void deadLetterListIsLimited() {
        for (int i = 0; i < 3; i++) {
            api.awaitState(api.enqueue("""
                    {"kind": "fail", "maxAttempts": 1}"""), "dead");
        }

        Response list = api.get("/api/jobs/dead?limit=2");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("jobs")).hasSize(2);
        assertThat(list.json().get("jobs").get(0).get("state").asString()).isEqualTo("dead");
    }

    @Test
    void waitingJobIsCancelledAtOnceAndCancellingAgainReportsAlreadyFinished() {
        long id = api.enqueue("""
                {"kind": "noop", "delayMs": 600000}""");

        Response cancelled = api.post("/api/jobs/" + id + "/cancel", null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("result").asString()).isEqualTo("cancelled");
        assertThat(api.get("/api/jobs/" + id).json().get("state").asString()).isEqualTo("cancelled");

        Response again = api.post("/api/jobs/" + id + "/cancel", null);
        assertThat(again.json().get("result").asString()).isEqualTo("already_finished");
    }

    @Test
    void runningJobOfAUserRegisteredKindIsAskedToCancelAndEndsCancelled() {
        assertThat(api.get("/api/jobs/kinds").json().get("kinds").valueStream().map(JsonNode::asString))
                .contains("noop", "log", "fail", "slow");
        long id = api.enqueue("""
                {"kind": "slow", "args": {"millis": 30000}}""");
        JsonNode running = api.awaitState(id, "running");
        assertThat(running.get("queue").asString()).isEqualTo("slow");

        Response cancel = api.post("/api/jobs/" + id + "/cancel", null);

        assertThat(cancel.json().get("result").asString()).isEqualTo("cancel_requested");
        JsonNode cancelled = api.awaitJob(id, job -> job.get("state").asString().equals("cancelled"), Duration.ofSeconds(10));
        assertThat(cancelled.get("cancelRequested").asBoolean()).isTrue();
    }

    @Test
    void cancelledJobCanBeReplayed() {
        long id = api.enqueue("""
                {"kind": "noop", "delayMs": 600000}""");
        api.post("/api/jobs/" + id + "/cancel", null);

        Response replayed = api.post("/api/jobs/" + id + "/replay", null);

        assertThat(replayed.status()).isEqualTo(200);
        api.awaitState(id, "completed");
    }

    @Test
    void queueStatsCountWaitingJobsPerQueue() {
        api.enqueue("""
                {"kind": "slow", "args": {"millis": 1}, "delayMs": 600000}""");
        api.enqueue("""
                {"kind": "slow", "args": {"millis": 1}, "delayMs": 600000}""");

        Response stats = api.get("/api/queues");

        assertThat(stats.status()).isEqualTo(200);
        JsonNode slow = null;
        for (JsonNode queue : stats.json().get("queues")) {
            if (queue.get("queue").asString().equals("slow")) {
                slow = queue;
            }
        }
        assertThat(slow).as("stats of queue 'slow' in %s", stats.body()).isNotNull();
        assertThat(slow.get("scheduled").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(slow.has("available")).isTrue();
        assertThat(slow.has("running")).isTrue();
        assertThat(slow.has("dead")).isTrue();
        assertThat(slow.get("lagMs").asLong()).isGreaterThanOrEqualTo(0);
    }

    private static List<Long> ids(JsonNode jobs) {
        List<Long> ids = new ArrayList<>();
        jobs.forEach(job -> ids.add(job.get("id").asLong()));
        return ids;
    }
}
