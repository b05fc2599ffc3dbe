package io.switchboard.server.webhooks.processing;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.jobs.JobQueue;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import io.switchboard.server.webhooks.WebhookTestSupport;
import io.switchboard.server.webhooks.WebhookInbox;
import io.switchboard.server.webhooks.log.WebhookRetention;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Processing, the delivery log, replay and retention, over real HTTP on a real database. */
class WebhookProcessingApiTest extends ServerTestBase {
    /**
     * Provider "test": writes a calls row named after the event and attempt, then throws while the event's attempt
     * is at most the payload's {@code failUntilAttempt}, so a failed attempt's write must not survive.
     */
    @TestConfiguration
    static class TestHandlers {
        @Bean
        WebhookEventHandler writeThenMaybeFail() {
            return new WebhookEventHandler() {
                @Override
                public String provider() {
                    return "test";
                }

                @Override
                public boolean handles(String eventType) {
                    return eventType.equals("test.write") || eventType.equals("test.block");
                }

                @Override
                public void handle(WebhookEvent event, Connection connection) throws SQLException {
                    if (event.eventType().equals("test.block")) {
                        awaitRelease();
                    }
                    try (PreparedStatement ps = connection.prepareStatement("""
                            INSERT INTO app.calls (org_id, call_id, state, state_at) VALUES (?, ?, 'written', now())""")) {
                        ps.setObject(1, event.orgId());
                        ps.setString(2, event.payload().get("key").asString() + "#" + event.attempt());
                        ps.executeUpdate();
                    }
                    JsonNode failUntil = event.payload().get("failUntilAttempt");
                    if (failUntil != null && event.attempt() <= failUntil.asInt()) {
                        throw new IllegalStateException("deliberate failure after writing, attempt " + event.attempt());
                    }
                }
            };
        }
    }

    /** Holds "test.block" events in their handler until released. */
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    static void awaitRelease() {
        try {
            RELEASE.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    UUID orgA;
    UUID orgB;
    ApiClient a;
    ApiClient b;
    UUID sourceA;
    UUID sourceB;
    UUID dialpadA;
    WebhookInbox inbox;

    @BeforeEach
    void twoOrganizationsWithSources() throws SQLException {
        inbox = new WebhookInbox(context.getBean(DataSource.class), context.getBean(JobQueue.class));
        orgA = UUID.fromString(createOrg("Acme"));
        orgB = UUID.fromString(createOrg("Globex"));
        a = api.withToken(createKey(orgA));
        b = api.withToken(createKey(orgB));
        sourceA = inbox.source(orgA, "test");
        sourceB = inbox.source(orgB, "test");
        dialpadA = inbox.source(orgA, "dialpad");
    }

    @Test
    void aRunFindsItsEventsWithoutScanningEveryCompletedBatchEvenWithAGenericPlan() {
        // As an anti-join, the generic plan hashed a scan of every batch row kept (30 days of them) on every run.
        assertThat(WebhookTestSupport.genericPlan(db, WebhookProcessor.CLAIM))
                .contains("SubPlan").doesNotContain("Hash").doesNotContain("Seq Scan on webhook_batches");
    }

    @Test
    void handlerWritesAndEventCompletionCommitTogetherAndAFailedAttemptLeavesNoWrite() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "k1", "failUntilAttempt": 1}""", null, null);

        JsonNode event = awaitStatus(a, id, "completed");

        assertThat(event.get("attempts").asInt()).isEqualTo(2);
        assertThat(event.get("processedAt").isNull()).isFalse();
        assertThat(event.get("lastError").isNull()).isTrue();
        assertThat(event.get("jobErrors")).hasSize(1);
        assertThat(event.get("jobErrors").get(0).get("error").asString()).contains("deliberate failure after writing, attempt 1");
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'k1#%'")).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id = 'k1#2' AND org_id = ?", orgA)).isEqualTo(1);
        MeterRegistry meters = context.getBean(MeterRegistry.class);
        assertThat(meters.get("switchboard.webhooks.processed").tags("provider", "test", "type", "test.write").counter().count())
                .isGreaterThanOrEqualTo(1);
        assertThat(meters.get("switchboard.webhooks.failed").tag("provider", "test").counter().count()).isGreaterThanOrEqualTo(1);
        assertThat(meters.get("switchboard.webhooks.latency").tag("provider", "test").timer().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void jobsThatDoNotOwnAnEventLeaveItToItsOwnJob() throws SQLException {
        List<Long> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            others.add(inbox.extraJob());
        }
        long id = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "owner"}""", null, null);
        for (long job : others) {
            api.awaitState(job, "completed");
        }

        JsonNode event = awaitStatus(a, id, "completed");
        assertThat(others).doesNotContain(event.get("jobId").asLong());
        assertThat(event.get("attempts").asInt()).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'owner#%'")).isEqualTo(1);
    }

    @Test
    void aProcessingJobRunAgainAfterItsBatchCompletedAppliesNothingTwice() throws SQLException {
        List<Long> ids = inbox.batch(orgA, sourceA, "test", "test.write", List.of("""
                {"key": "again-1"}""", """
                {"key": "again-2"}"""), null, null);
        awaitStatus(a, ids.get(0), "completed");
        awaitStatus(a, ids.get(1), "completed");
        long job = inbox.scalar("SELECT job_id FROM app.webhook_events WHERE id = ?", ids.get(0));

        // As a replay of a finished job would: the same job runs once more.
        inbox.scalar("""
                UPDATE switchboard.jobs SET state = 'available', attempt = 0, run_at = now(), finished_at = NULL
                WHERE id = ?""", job);
        inbox.scalar("SELECT count(*) FROM (SELECT pg_notify('switchboard_jobs', 'webhooks')) n");
        api.awaitState(job, "completed");

        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'again-%'")).isEqualTo(2);
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_batches WHERE job_id = ?", job)).isEqualTo(1);
        for (long id : ids) {
            JsonNode event = a.get("/api/webhook-events/" + id).json();
            assertThat(event.get("status").asString()).isEqualTo("completed");
            assertThat(event.get("attempts").asInt()).isEqualTo(1);
        }
    }

    @Test
    void eventsOfAProcessingJobThatDiedAreDeadLetteredAndCanBeReplayed() throws SQLException {
        long id = inbox.delayedEvent(orgA, sourceA, "test", "test.write", """
                {"key": "orphan"}""", Duration.ofHours(1));
        long job = inbox.scalar("SELECT job_id FROM app.webhook_events WHERE id = ?", id);
        // As when its worker stopped heartbeating on the last attempt: the job is dead, nothing was recorded.
        inbox.scalar("UPDATE switchboard.jobs SET state = 'dead', finished_at = now() WHERE id = ?", job);

        assertThat(context.getBean(AbandonedEvents.class).sweep()).isPositive();

        JsonNode dead = a.get("/api/webhook-events/" + id).json();
        assertThat(dead.get("status").asString()).isEqualTo("dead_letter");
        assertThat(dead.get("lastError").asString()).contains("job " + job + " ended dead");
        assertThat(ids(a.get("/api/webhooks/dead-letter"))).containsExactly(id);
        assertThat(a.get("/api/webhooks/health").json().get("deadLetter").asLong()).isEqualTo(1);
        assertThat(context.getBean(AbandonedEvents.class).sweep()).as("nothing left to sweep").isZero();

        assertThat(a.post("/api/webhook-events/" + id + "/replay", null).status()).isEqualTo(200);
        awaitStatus(a, id, "completed");
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'orphan#%'")).isEqualTo(1);
    }

    @Test
    void aFailingEventOfABatchIsRetriedAloneWhileTheOthersCompleteInOneTransaction() throws SQLException {
        List<Long> ids = inbox.batch(orgA, sourceA, "test", "test.write", List.of("""
                {"key": "b-ok1"}""", """
                {"key": "b-fail", "failUntilAttempt": 1}""", """
                {"key": "b-ok2"}"""), null, null);
        long batchJob = a.get("/api/webhook-events/" + ids.getFirst()).json().get("jobId").asLong();

        JsonNode ok1 = awaitStatus(a, ids.get(0), "completed");
        JsonNode failed = awaitStatus(a, ids.get(1), "completed");
        JsonNode ok2 = awaitStatus(a, ids.get(2), "completed");

        assertThat(ok1.get("attempts").asInt()).isEqualTo(1);
        assertThat(ok2.get("attempts").asInt()).isEqualTo(1);
        assertThat(ok2.get("jobId").asLong()).isEqualTo(batchJob);
        // Split off: its own job, its first attempt's write undone, the second applied.
        assertThat(failed.get("attempts").asInt()).isEqualTo(2);
        assertThat(failed.get("jobId").asLong()).isNotEqualTo(batchJob);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'b-fail#%'")).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id = 'b-fail#2'")).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id IN ('b-ok1#1', 'b-ok2#1')")).isEqualTo(2);
        api.awaitState(batchJob, "completed");
    }

    @Test
    void aBatchEventOnItsLastAttemptIsDeadLetteredAndTheOthersComplete() throws SQLException {
        List<Long> ids = inbox.batch(orgA, sourceA, "test", "test.write", List.of("""
                {"key": "last-ok"}""", """
                {"key": "last-fail", "failUntilAttempt": 5}"""), null, 1);

        awaitStatus(a, ids.get(0), "completed");
        JsonNode dead = awaitStatus(a, ids.get(1), "dead_letter");

        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get("lastError").asString()).contains("deliberate failure after writing, attempt 1");
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'last-fail#%'")).isZero();
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id = 'last-ok#1'")).isEqualTo(1);
    }

    @Test
    void anEventWhoseJobIsRunningShowsAsProcessing() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.block", """
                {"key": "blocked"}""", null, null);
        try {
            awaitStatus(a, id, "processing");
            assertThat(a.get("/api/webhooks/health").json().get("processing").asLong()).isEqualTo(1);
            assertThat(ids(a.get("/api/webhook-events?status=processing"))).containsExactly(id);
            assertThat(ids(a.get("/api/webhook-events?status=pending"))).doesNotContain(id);
        } finally {
            RELEASE.countDown();
        }
        awaitStatus(a, id, "completed");
        assertThat(a.get("/api/webhooks/health").json().get("processing").asLong()).isZero();
    }

    @Test
    void anEventWhoseJobHasNotRunCountsAsPendingAndACompletedBatchDoesNot() throws SQLException {
        long done = inbox.event(orgA, sourceA, "test", "test.unknown", "{}", null, null);
        awaitStatus(a, done, "completed");
        long waiting = inbox.delayedEvent(orgA, sourceA, "test", "test.unknown", "{}", Duration.ofHours(1));

        JsonNode health = a.get("/api/webhooks/health").json();
        assertThat(health.get("pending").asLong()).isEqualTo(1);
        assertThat(health.get("processing").asLong()).isZero();
        assertThat(health.get("oldestPendingAgeSeconds").asDouble()).isBetween(0.0, 60.0);
        assertThat(ids(a.get("/api/webhook-events?status=pending"))).containsExactly(waiting);
        assertThat(ids(a.get("/api/webhook-events?status=completed"))).containsExactly(done);
        assertThat(b.get("/api/webhooks/health").json().get("pending").asLong()).as("another organization's").isZero();
        assertThat(b.get("/api/webhook-events/" + waiting).status()).isEqualTo(404);
    }

    @Test
    void aJobThatNoLongerOwnsItsEventDoesNothing() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "stale"}""", null, null);
        awaitStatus(a, id, "completed");

        long stale = inbox.extraJob();
        inbox.scalar("UPDATE app.webhook_events SET status = 'failed' WHERE id = ?", id);
        api.awaitState(stale, "completed");

        assertThat(a.get("/api/webhook-events/" + id).json().get("status").asString()).isEqualTo("failed");
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'stale#%'")).isEqualTo(1);
    }

    @Test
    void lastFailedAttemptDeadLettersTheEventWhichShowsInTheLogAndReplayProcessesIt() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "dl", "failUntilAttempt": 1}""", null, 1);

        JsonNode dead = awaitStatus(a, id, "dead_letter");
        assertThat(dead.get("lastError").asString()).contains("deliberate failure after writing");
        assertThat(ids(a.get("/api/webhooks/dead-letter"))).containsExactly(id);
        assertThat(ids(a.get("/api/webhooks/failures?limit=10"))).containsExactly(id);
        assertThat(a.get("/api/webhooks/health").json().get("deadLetter").asLong()).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'dl#%'")).isZero();

        Response replay = a.post("/api/webhook-events/" + id + "/replay", null);
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().get("jobId").asLong()).isNotEqualTo(dead.get("jobId").asLong());

        JsonNode done = awaitStatus(a, id, "completed");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(ids(a.get("/api/webhooks/dead-letter"))).isEmpty();
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id LIKE 'dl#%'")).isEqualTo(1);

        Response again = a.post("/api/webhook-events/" + id + "/replay", null);
        assertThat(again.status()).isEqualTo(200);
        awaitStatus(a, id, "completed");
    }

    @Test
    void replayOfAPendingOrUnknownEventIsRefusedAndChangesNothing() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "p"}""", null, null);
        inbox.scalar("UPDATE app.webhook_events SET status = 'pending' WHERE id = ?", id);
        awaitStatus(a, id, "completed");
        inbox.scalar("UPDATE app.webhook_events SET status = 'processing' WHERE id = ?", id);
        long jobsBefore = inbox.scalar("SELECT count(*) FROM switchboard.jobs");

        Response conflict = a.post("/api/webhook-events/" + id + "/replay", null);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith("application/problem+json");
        assertThat(a.post("/api/webhook-events/999999999/replay", null).status()).isEqualTo(404);
        assertThat(a.post("/api/webhook-events/replay", """
                {"status": "pending"}""").status()).isEqualTo(400);
        assertThat(a.post("/api/webhook-events/replay", """
                {"status": "failed", "limit": 5000}""").status()).isEqualTo(400);
        assertThat(inbox.scalar("SELECT count(*) FROM switchboard.jobs")).isEqualTo(jobsBefore);
    }

    @Test
    void bulkReplayOfCompletedEventsRunsTheirHandlersAgainAsTheNextAttempt() throws SQLException {
        List<Long> ids = inbox.batch(orgA, sourceA, "test", "test.write", List.of("""
                {"key": "bulk-c-1"}""", """
                {"key": "bulk-c-2"}"""), null, null);
        for (long id : ids) {
            awaitStatus(a, id, "completed");
        }

        Response replayed = a.post("/api/webhook-events/replay", """
                {"status": "completed", "source": "%s", "type": "test.write"}""".formatted(sourceA));
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(200);
        assertThat(replayed.json().get("replayed").asInt()).isEqualTo(2);

        for (long id : ids) {
            assertThat(awaitStatus(a, id, "completed").get("attempts").asInt()).isEqualTo(2);
        }
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id IN ('bulk-c-1#2', 'bulk-c-2#2')")).isEqualTo(2);
    }

    @Test
    void bulkReplayReplaysOnlyTheEventsMatchingItsFilter() throws SQLException {
        long first = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "bulk1", "failUntilAttempt": 1}""", null, 1);
        long second = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "bulk2", "failUntilAttempt": 1}""", null, 1);
        UUID otherSource = inbox.source(orgA, "test");
        long other = inbox.event(orgA, otherSource, "test", "test.write", """
                {"key": "bulk3", "failUntilAttempt": 1}""", null, 1);
        awaitStatus(a, first, "dead_letter");
        awaitStatus(a, second, "dead_letter");
        awaitStatus(a, other, "dead_letter");

        Response replayed = a.post("/api/webhook-events/replay", """
                {"status": "dead_letter", "source": "%s", "type": "test.write", "limit": 10}""".formatted(sourceA));

        assertThat(replayed.status()).as(replayed.body()).isEqualTo(200);
        assertThat(replayed.json().get("replayed").asInt()).isEqualTo(2);
        awaitStatus(a, first, "completed");
        awaitStatus(a, second, "completed");
        assertThat(a.get("/api/webhook-events/" + other).json().get("status").asString()).isEqualTo("dead_letter");
        assertThat(ids(a.get("/api/webhook-events?status=dead_letter"))).containsExactly(other);
    }

    @Test
    void lateConnectedDoesNotOverwriteALaterHangup() throws SQLException {
        Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
        long ringing = dialpad("c-1", "ringing", t0);
        awaitStatus(a, ringing, "completed");
        long hangup = dialpad("c-1", "hangup", t0.plusSeconds(60));
        awaitStatus(a, hangup, "completed");
        long lateConnected = dialpad("c-1", "connected", t0.plusSeconds(5));
        awaitStatus(a, lateConnected, "completed");

        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id = 'c-1' AND state = 'hangup'")).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id = 'c-1'")).isEqualTo(1);
        assertThat(inbox.scalar("SELECT extract(epoch FROM state_at)::bigint FROM app.calls WHERE call_id = 'c-1'"))
                .isEqualTo(t0.plusSeconds(60).getEpochSecond());

        // The same hangup replayed re-applies itself (same event), and changes nothing.
        a.post("/api/webhook-events/" + hangup + "/replay", null);
        awaitStatus(a, hangup, "completed");
        assertThat(inbox.scalar("SELECT count(*) FROM app.calls WHERE call_id = 'c-1' AND state = 'hangup'")).isEqualTo(1);
    }

    @Test
    void anEventTypeWithoutAHandlerIsCompletedAsUnhandled() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.unknown", "{}", null, null);
        JsonNode event = awaitStatus(a, id, "completed");
        assertThat(event.get("lastError").asString()).isEqualTo("no handler");
    }

    @Test
    void statsCountReceiptsDuplicatesRejectionsAndProcessedEventsWithinTheRange() throws SQLException {
        long one = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "s1"}""", null, null);
        long two = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "s2"}""", null, null);
        inbox.duplicate(orgA, sourceA, one);
        inbox.duplicate(orgA, sourceA, one);
        inbox.rejection(orgA, sourceA, "bad_signature", Duration.ofMinutes(5));
        inbox.rejection(orgA, sourceA, "bad_signature", Duration.ofMinutes(10));
        inbox.rejection(orgA, sourceA, "expired", Duration.ofHours(2));
        inbox.rejection(orgA, sourceA, "expired", Duration.ofDays(2));
        inbox.rejection(orgB, sourceB, "bad_signature", Duration.ofMinutes(1));
        awaitStatus(a, one, "completed");
        awaitStatus(a, two, "completed");

        JsonNode day = ok(a.get("/api/webhooks/stats?range=24h"));
        assertThat(day.get("received").asLong()).isEqualTo(4);
        assertThat(day.get("duplicates").asLong()).isEqualTo(2);
        assertThat(day.get("rejected").asLong()).isEqualTo(3);
        assertThat(day.get("rejectedByReason").get("bad_signature").asLong()).isEqualTo(2);
        assertThat(day.get("rejectedByReason").get("expired").asLong()).isEqualTo(1);
        assertThat(day.get("processed").asLong()).isEqualTo(2);
        assertThat(day.get("dead").asLong()).isZero();
        assertThat(day.get("latency").get("p50Ms").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(day.get("latency").get("p99Ms").asDouble()).isGreaterThanOrEqualTo(day.get("latency").get("p50Ms").asDouble());

        JsonNode quarter = ok(a.get("/api/webhooks/stats?range=15m"));
        assertThat(quarter.get("rejected").asLong()).isEqualTo(2);
        assertThat(ok(a.get("/api/webhooks/stats?range=7d")).get("rejected").asLong()).isEqualTo(4);

        for (String bad : List.of("24", "0h", "1w", "-1h", "100d", "h")) {
            Response response = a.get("/api/webhooks/stats?range=" + bad);
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void anotherOrganizationCannotSeeOrReplayEvents() throws SQLException {
        long ofB = inbox.event(orgB, sourceB, "test", "test.write", """
                {"key": "b1", "failUntilAttempt": 1}""", null, 1);
        awaitStatus(b, ofB, "dead_letter");
        long ofA = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "a1"}""", null, null);
        awaitStatus(a, ofA, "completed");
        long jobsBefore = inbox.scalar("SELECT count(*) FROM switchboard.jobs");

        assertThat(a.get("/api/webhook-events/" + ofB).status()).isEqualTo(404);
        assertThat(a.post("/api/webhook-events/" + ofB + "/replay", null).status()).isEqualTo(404);
        assertThat(ids(a.get("/api/webhook-events"))).containsExactly(ofA);
        assertThat(ids(a.get("/api/webhook-events?source=" + sourceB))).isEmpty();
        assertThat(ids(a.get("/api/webhooks/dead-letter"))).isEmpty();
        assertThat(ids(a.get("/api/webhooks/failures"))).isEmpty();
        assertThat(a.get("/api/webhooks/health").json().get("deadLetter").asLong()).isZero();
        Response bulk = a.post("/api/webhook-events/replay", """
                {"status": "dead_letter", "source": "%s"}""".formatted(sourceB));
        assertThat(bulk.json().get("replayed").asInt()).isZero();

        assertThat(b.get("/api/webhook-events/" + ofB).json().get("status").asString()).isEqualTo("dead_letter");
        assertThat(inbox.scalar("SELECT count(*) FROM switchboard.jobs")).isEqualTo(jobsBefore);
        assertThat(api.get("/api/webhook-events").status()).as("platform admin has no organization").isEqualTo(403);
    }

    @Test
    void retentionDeletesOnlyOldFinishedEventsWithTheirReceiptsAndOldRejections() throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long id = inbox.event(orgA, sourceA, "test", "test.unknown", "{}", null, null);
            awaitStatus(a, id, "completed");
            ids.add(id);
        }
        long oldCompleted = ids.get(0);
        long oldDead = ids.get(1);
        long recentCompleted = ids.get(2);
        long oldFailed = ids.get(3);
        long oldPending = ids.get(4);
        // Completed through its batch (its row still says pending): the batch row's time counts.
        long oldBatch = ids.get(5);
        inbox.duplicate(orgA, sourceA, oldBatch);
        inbox.scalar("""
                UPDATE app.webhook_batches SET completed_at = now() - interval '32 days'
                WHERE job_id = (SELECT job_id FROM app.webhook_events WHERE id = ?)""", oldBatch);
        // Replayed since: its first batch is old, but the event belongs to its new (recent) batch now.
        long replayed = inbox.event(orgA, sourceA, "test", "test.unknown", "{}", null, null);
        awaitStatus(a, replayed, "completed");
        long firstJob = inbox.scalar("SELECT job_id FROM app.webhook_events WHERE id = ?", replayed);
        assertThat(a.post("/api/webhook-events/" + replayed + "/replay", null).status()).isEqualTo(200);
        awaitStatus(a, replayed, "completed");
        inbox.scalar("UPDATE app.webhook_batches SET completed_at = now() - interval '40 days' WHERE job_id = ?", firstJob);
        inbox.duplicate(orgA, sourceA, oldCompleted);
        inbox.duplicate(orgA, sourceA, recentCompleted);
        age(oldCompleted, "completed", Duration.ofDays(31));
        age(oldDead, "dead_letter", Duration.ofDays(40));
        age(recentCompleted, "completed", Duration.ofDays(29));
        age(oldFailed, "failed", Duration.ofDays(60));
        age(oldPending, "pending", Duration.ofDays(60));
        inbox.rejection(orgA, sourceA, "expired", Duration.ofDays(31));
        inbox.rejection(orgA, sourceA, "expired", Duration.ofDays(1));

        WebhookRetention.Purged purged = context.getBean(WebhookRetention.class).purge();

        assertThat(purged.events()).isEqualTo(3);
        assertThat(purged.rejections()).isEqualTo(1);
        assertThat(a.get("/api/webhook-events/" + oldCompleted).status()).isEqualTo(404);
        assertThat(a.get("/api/webhook-events/" + oldDead).status()).isEqualTo(404);
        assertThat(a.get("/api/webhook-events/" + oldBatch).status()).isEqualTo(404);
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_receipts WHERE event_id = ?", oldBatch)).isZero();
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_batches WHERE completed_at < now() - interval '30 days'"))
                .as("the old batch row went with its last event").isZero();
        assertThat(inbox.scalar("""
                SELECT count(*) FROM app.webhook_batches WHERE job_id = (SELECT job_id FROM app.webhook_events WHERE id = ?)""",
                recentCompleted)).as("a recent batch row stays").isEqualTo(1);
        assertThat(ids(a.get("/api/webhook-events"))).containsExactlyInAnyOrder(recentCompleted, oldFailed, oldPending, replayed);
        assertThat(a.get("/api/webhook-events/" + replayed).json().get("status").asString()).isEqualTo("completed");
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_batches WHERE job_id = ?", firstJob))
                .as("the replayed event's first batch row, left without events").isZero();
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_receipts WHERE event_id IN (?, ?)", oldCompleted, oldDead)).isZero();
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_receipts WHERE event_id = ?", recentCompleted)).isEqualTo(1);
        assertThat(inbox.scalar("SELECT count(*) FROM app.webhook_rejections WHERE source_id = ?", sourceA)).isEqualTo(1);
    }

    @Test
    void aReadOnlyCredentialCannotReplay() throws SQLException {
        long id = inbox.event(orgA, sourceA, "test", "test.write", """
                {"key": "ro", "failUntilAttempt": 1}""", null, 1);
        awaitStatus(a, id, "dead_letter");
        Response key = api.post("/api/admin/orgs/" + orgA + "/api-keys", """
                {"name": "viewer", "scopes": ["org:read"]}""");
        ApiClient viewer = api.withToken(key.json().get("key").asString());

        assertThat(viewer.get("/api/webhook-events/" + id).status()).isEqualTo(200);
        assertThat(viewer.post("/api/webhook-events/" + id + "/replay", null).status()).isEqualTo(403);
        assertThat(viewer.post("/api/webhook-events/replay", "{}").status()).isEqualTo(403);
        assertThat(a.get("/api/webhook-events/" + id).json().get("status").asString()).isEqualTo("dead_letter");
    }

    @Test
    void badListFiltersAreRefused() {
        assertThat(a.get("/api/webhook-events?status=done").status()).isEqualTo(400);
        assertThat(a.get("/api/webhook-events?limit=0").status()).isEqualTo(400);
        assertThat(a.get("/api/webhook-events?limit=1001").status()).isEqualTo(400);
        assertThat(a.get("/api/webhook-events?source=not-a-uuid").status()).isEqualTo(400);
        assertThat(a.get("/api/webhooks/failures?limit=0").status()).isEqualTo(400);
    }

    private long dialpad(String callId, String state, Instant at) throws SQLException {
        return inbox.event(orgA, dialpadA, "dialpad", "call." + state, """
                {"call_id": "%s", "state": "%s", "direction": "inbound", "event_timestamp": %d}"""
                .formatted(callId, state, at.toEpochMilli()), at, null);
    }

    private void age(long id, String status, Duration ago) throws SQLException {
        inbox.scalar("""
                UPDATE app.webhook_events SET status = ?, received_at = now() - make_interval(secs => ?),
                    processed_at = now() - make_interval(secs => ?) WHERE id = ?""",
                status, (double) ago.toSeconds(), (double) ago.toSeconds(), id);
    }

    private static JsonNode awaitStatus(ApiClient client, long id, String status) {
        Instant deadline = Instant.now().plusSeconds(30);
        JsonNode event = null;
        while (Instant.now().isBefore(deadline)) {
            Response response = client.get("/api/webhook-events/" + id);
            event = response.json();
            if (response.status() == 200 && status.equals(event.get("status").asString())) {
                return event;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fail("event " + id + " did not reach " + status + "; last seen " + event);
    }

    private static List<Long> ids(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        response.json().get("events").forEach(e -> ids.add(e.get("id").asLong()));
        return ids;
    }

    private static JsonNode ok(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private String createOrg(String name) {
        Response response = api.post("/api/admin/orgs", """
                {"name": "%s"}""".formatted(name));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    private String createKey(UUID org) {
        Response response = api.post("/api/admin/orgs/" + org + "/api-keys", """
                {"name": "main", "scopes": ["org:read", "org:write"]}""");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("key").asString();
    }
}
