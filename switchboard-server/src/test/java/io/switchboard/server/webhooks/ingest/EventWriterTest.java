package io.switchboard.server.webhooks.ingest;

import io.switchboard.jobs.JobQueue;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.switchboard.server.webhooks.WebhookTestSupport.count;
import static io.switchboard.server.webhooks.WebhookTestSupport.genericPlan;
import static io.switchboard.server.webhooks.WebhookTestSupport.organization;
import static io.switchboard.server.webhooks.WebhookTestSupport.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The group committer on a real database: one batch, each request its own outcome. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties =
        "switchboard.webhooks.secret-key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
class EventWriterTest extends ServerTestBase {
    @Autowired
    DataSource dataSource;
    @Autowired
    JobQueue jobs;

    @Test
    void oneUnstorableEventFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        StripeSource stripe = stripeSource("Batch");
        String source = stripe.id();
        UUID orgId = stripe.orgId();

        long lastJob = count(db, "SELECT coalesce(max(id), 0) FROM switchboard.jobs");
        EventWriter writer = new EventWriter(dataSource, jobs, 200, Duration.ofMillis(2), 16, 1);
        try {
            // Queued before the committer starts, so all six are one batch.
            CompletableFuture<EventWriter.Stored> first = writer.submit(event(orgId, source, "evt_a", "invoice.paid"));
            CompletableFuture<EventWriter.Stored> again = writer.submit(event(orgId, source, "evt_a", "invoice.paid"));
            // The table's CHECK refuses an event type over 200 characters.
            CompletableFuture<EventWriter.Stored> bad = writer.submit(event(orgId, source, "evt_bad", "t".repeat(201)));
            CompletableFuture<EventWriter.Stored> second = writer.submit(event(orgId, source, "evt_b", "invoice.paid"));
            CompletableFuture<EventWriter.Stored> foreign = writer.submit(event(orgId, UUID.randomUUID().toString(), "evt_c", "x"));
            // A real source, but named with another organization.
            CompletableFuture<EventWriter.Stored> otherOrg = writer.submit(event(UUID.randomUUID(), source, "evt_d", "x"));
            writer.start();

            assertThat(first.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            assertThat(again.get(30, TimeUnit.SECONDS)).isEqualTo(new EventWriter.Stored(first.get().eventId(), true));
            assertThat(second.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(EventWriter.Unavailable.class);
            assertThatThrownBy(() -> foreign.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(EventWriter.Unavailable.class);
            assertThatThrownBy(() -> otherOrg.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(EventWriter.Unavailable.class);
        } finally {
            writer.close();
        }
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + source + "'")).isEqualTo(2);
        // Both name the batch's processing job, written by the same statement; the foreign events wrote nothing.
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events e JOIN switchboard.jobs j ON j.id = e.job_id "
                + "WHERE e.source_id = '" + source + "' AND j.kind = 'webhook.process'")).isEqualTo(2);
        // The failed batch statement wrote nothing, not even its job: one job per event written alone afterwards,
        // except the unstorable one (the foreign ones' statements succeed, writing a job that finds nothing to do).
        assertThat(count(db, "SELECT count(*) FROM switchboard.jobs WHERE kind = 'webhook.process' AND id > " + lastJob)).isEqualTo(5);
        // Three requests: two first copies (their receipts are their event rows) and one duplicate.
        assertThat(count(db, "SELECT count(*) FROM app.webhook_receipts WHERE source_id = '" + source + "' AND duplicate")).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_receipts WHERE source_id = '" + source + "'")).isEqualTo(1);
    }

    @Test
    void theDuplicateLookupProbesTheUniqueIndexPerKeyEvenWithAGenericPlan() {
        // As a join, the generic plan hashed a scan of every event: 3 ms a batch at a few hundred thousand events.
        assertThat(genericPlan(db, EventWriter.EXISTING_EVENTS))
                .contains("Nested Loop").contains("Limit").doesNotContain("Hash").doesNotContain("Seq Scan on webhook_events");
        assertThat(genericPlan(db, EventWriter.STORE_BATCH))
                .contains("Limit").contains("Index Scan using webhook_events_source_id_dedupe_key_key")
                .doesNotContain("Seq Scan on webhook_events");
    }

    @Test
    void storingEventsTakesNoLockOnTheirOrganizationOrSourceRow() throws Exception {
        StripeSource stripe = stripeSource("Locks");
        String source = stripe.id();
        UUID orgId = stripe.orgId();
        EventWriter writer = new EventWriter(dataSource, jobs, 200, Duration.ofMillis(2), 16, 1).start();
        try (Connection locker = db.connect()) {
            // FOR UPDATE conflicts with the KEY SHARE lock a foreign key check takes: with one, the write would wait.
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("SELECT 1 FROM app.organizations WHERE id = '" + orgId + "' FOR UPDATE");
                s.execute("SELECT 1 FROM app.webhook_sources WHERE id = '" + source + "' FOR UPDATE");
            }
            EventWriter.Stored first = writer.submit(event(orgId, source, "evt_locked", "invoice.paid")).get(10, TimeUnit.SECONDS);
            EventWriter.Stored again = writer.submit(event(orgId, source, "evt_locked", "invoice.paid")).get(10, TimeUnit.SECONDS);
            assertThat(again).isEqualTo(new EventWriter.Stored(first.eventId(), true));
            locker.rollback();
        } finally {
            writer.close();
        }
    }

    @Test
    void aKeyCommittedByAnotherWriterWhileTheBatchWaitsIsAnsweredAsItsDuplicate() throws Exception {
        StripeSource stripe = stripeSource("Race");
        try (EventWriter writer = new EventWriter(dataSource, jobs, 200, Duration.ofMillis(2), 16, 1).start();
             Connection other = db.connect()) {
            // Another instance's batch holds the key, not yet committed: this batch's insert waits for it, skips the
            // key once it commits, and its statement's snapshot cannot see that row.
            other.setAutoCommit(false);
            long otherId;
            try (Statement s = other.createStatement(); java.sql.ResultSet rs = s.executeQuery(
                    "INSERT INTO app.webhook_events (org_id, source_id, provider, dedupe_key, event_type, headers, body) VALUES ('"
                            + stripe.orgId() + "', '" + stripe.id() + "', 'stripe', 'evt_race', 'invoice.paid', '{}', '\\x7b7d') RETURNING id")) {
                rs.next();
                otherId = rs.getLong(1);
            }
            CompletableFuture<EventWriter.Stored> late = writer.submit(event(stripe.orgId(), stripe.id(), "evt_race", "invoice.paid"));
            waitForALockWait();
            assertThat(late).isNotDone();
            other.commit();
            assertThat(late.get(10, TimeUnit.SECONDS)).isEqualTo(new EventWriter.Stored(otherId, true));
        }
        assertThat(count(db, "SELECT count(*) FROM app.webhook_events WHERE source_id = '" + stripe.id() + "'")).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM app.webhook_receipts WHERE source_id = '" + stripe.id() + "' AND duplicate")).isEqualTo(1);
    }

    /** A new organization's Stripe source. */
    private record StripeSource(String id, UUID orgId) {
    }

    private StripeSource stripeSource(String name) {
        ApiClient org = organization(api, name + " " + UUID.randomUUID());
        String id = source(org, "stripe", "[\"whsec_" + name.toLowerCase(java.util.Locale.ROOT) + "_test_0123456789\"]", "{}");
        return new StripeSource(id, UUID.fromString(org.get("/api/org").json().get("id").asString()));
    }

    private void waitForALockWait() throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            if (count(db, "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'") > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the batch never waited for the other transaction's key");
    }

    @Test
    void aWebhookSourceIsNeverDeletedOnlyDisabled() {
        ApiClient org = organization(api, "Kept " + UUID.randomUUID());
        String source = source(org, "stripe", "[\"whsec_kept_test_0123456789\"]", "{}");
        assertThatThrownBy(() -> {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM app.webhook_sources WHERE id = '" + source + "'");
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("disable it instead")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"));
        assertThat(count(db, "SELECT count(*) FROM app.webhook_sources WHERE id = '" + source + "'")).isEqualTo(1);
    }

    @Test
    void aClosedWriterRefusesEventsAsUnavailable() {
        EventWriter writer = new EventWriter(dataSource, jobs, 200, Duration.ofMillis(2), 16, 1).start();
        writer.close();
        CompletableFuture<EventWriter.Stored> late = writer.submit(event(UUID.randomUUID(), UUID.randomUUID().toString(), "evt", "x"));
        assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(EventWriter.Unavailable.class);
    }

    private static EventWriter.NewEvent event(UUID orgId, String source, String key, String type) {
        return new EventWriter.NewEvent(orgId, UUID.fromString(source), "stripe", key, type, Instant.now(), "{}",
                ("{\"id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8), "{\"id\":\"" + key + "\"}");
    }
}
