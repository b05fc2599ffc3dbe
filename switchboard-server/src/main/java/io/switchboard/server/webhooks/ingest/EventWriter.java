package io.switchboard.server.webhooks.ingest;

import io.switchboard.db.Transactions;
import io.switchboard.jobs.EmbeddedJob;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobRequest;
import io.switchboard.server.database.DatabaseErrors;
import io.switchboard.server.webhooks.processing.WebhookProcessingConfiguration;
import io.switchboard.server.webhooks.processing.WebhookProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Group commit of received events: requests hand their verified event to {@link #submit} and wait; a committer
 * thread (one by default) takes whatever is pending (up to {@code maxBatch}, i.e. what arrived while the previous
 * commit ran; under load, plus what arrives within the linger time while the batch is below its target) and writes
 * it in one transaction of one statement whatever its size, so a batch costs two round trips (the statement, with
 * BEGIN, and COMMIT): the statement inserts one processing job for the batch (the job queue's own insert, embedded by
 * {@link JobQueue#embed}; it also sends the queue's wake-up at commit), writes the events naming that job
 * ({@code ON CONFLICT (source_id, dedupe_key) DO NOTHING}: the first copy wins), finds the first copies of the
 * duplicates and writes a receipt per duplicate (a first copy's receipt is its event row). The committer is the
 * pipeline's one serial stage, so each round trip it saves is throughput. (Run in auto-commit, the statement alone
 * would be one round trip, but the processing workers then claimed the jobs late: end-to-end p99 at 2,000 events/s
 * of 6 to 190 ms, median 93 ms, against 6 to 21 ms, median 8 ms, for no measurable gain in throughput; see
 * docs/benchmarks.md.) A batch of duplicates only leaves a job that finds nothing to do.
 * Each request learns its own outcome after the commit. If the batch fails for a reason of one event, nothing of it
 * was written and every event is retried in a transaction of its own so one bad event fails alone; if the database
 * is unreachable every waiter gets {@link Unavailable}. A duplicate of a key another instance committed while the
 * statement ran is found by a second statement in the same transaction.
 */
final class EventWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventWriter.class);

    // One statement stores a batch: its processing job (the job queue's own insert, which also sends the queue's
    // NOTIFY at commit), its events naming the job, and a receipt for each duplicate (a first copy's receipt is its
    // event row). Sorted input: concurrent batches take conflicting keys in the same order and cannot deadlock. Each
    // input row's source is looked up once (known: an existing source of the event's organization, found without
    // locking its row, V6); only known rows write events and receipts. Every input row comes back by its position n with
    // its event: the row it inserted (duplicate false, only the first copy of a key within the batch), the batch's row
    // of its key, or an earlier row of its key, found by one unique-index probe (LIMIT keeps it a probe: as a join the
    // generic plan may hash a scan of the whole table, 3 ms a call seen in the benchmark); or, for a source that is
    // not of the event's organization, as foreign, with nothing written. A key stored by a concurrent transaction that
    // committed after this statement's snapshot comes back without an event id: the caller looks it up again
    // (EXISTING_EVENTS) in the same transaction.
    static final String STORE_BATCH = "WITH job AS (" + EmbeddedJob.SQL + """
            ), e AS MATERIALIZED (
                SELECT u.*, s.id IS NOT NULL AS known
                FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::jsonb[], ?::bytea[], ?::jsonb[])
                     WITH ORDINALITY AS u(org_id, source_id, provider, dedupe_key, event_type, occurred_at, headers, body, payload, n)
                LEFT JOIN app.webhook_sources s ON s.id = u.source_id AND s.org_id = u.org_id
            ), inserted AS (
                INSERT INTO app.webhook_events (org_id, source_id, provider, dedupe_key, event_type, occurred_at, headers, body, payload, job_id)
                SELECT e.org_id, e.source_id, e.provider, e.dedupe_key, e.event_type, e.occurred_at, e.headers, e.body, e.payload, (SELECT id FROM job)
                FROM e WHERE e.known
                ORDER BY e.n
                ON CONFLICT (source_id, dedupe_key) DO NOTHING
                RETURNING id, source_id, dedupe_key
            ), outcome AS MATERIALIZED (
                SELECT e.n, e.org_id, e.source_id, NOT e.known AS foreign_source,
                       CASE WHEN e.known THEN coalesce(i.id, x.id) END AS event_id,
                       i.id IS NULL OR e.n > min(e.n) OVER (PARTITION BY e.source_id, e.dedupe_key) AS duplicate
                FROM e
                LEFT JOIN inserted i ON i.source_id = e.source_id AND i.dedupe_key = e.dedupe_key
                LEFT JOIN LATERAL (SELECT w.id FROM app.webhook_events w
                                   WHERE i.id IS NULL AND e.known AND w.source_id = e.source_id AND w.dedupe_key = e.dedupe_key
                                   LIMIT 1) x ON true
            ), receipts AS (
                INSERT INTO app.webhook_receipts (org_id, source_id, event_id, duplicate)
                SELECT o.org_id, o.source_id, o.event_id, true FROM outcome o
                WHERE o.duplicate AND o.event_id IS NOT NULL
            )
            SELECT o.n, o.event_id, o.duplicate, o.foreign_source FROM outcome o""";
    // The keys STORE_BATCH could not see, looked up again by a statement of their own (a new snapshot).
    static final String EXISTING_EVENTS = """
            SELECT e.id, e.source_id, e.dedupe_key
            FROM unnest(?::uuid[], ?::text[]) AS k(source_id, dedupe_key)
            CROSS JOIN LATERAL (SELECT id, source_id, dedupe_key FROM app.webhook_events
                                WHERE source_id = k.source_id AND dedupe_key = k.dedupe_key LIMIT 1) e""";
    private static final String INSERT_RECEIPTS = """
            INSERT INTO app.webhook_receipts (org_id, source_id, event_id, duplicate)
            SELECT r.org_id, r.source_id, r.event_id, true FROM unnest(?::uuid[], ?::uuid[], ?::bigint[]) AS r(org_id, source_id, event_id)
            JOIN app.webhook_sources s ON s.id = r.source_id AND s.org_id = r.org_id""";

    /** A verified event to store. {@code headersJson} and {@code payloadJson} are JSON objects as text. */
    record NewEvent(UUID orgId, UUID sourceId, String provider, String dedupeKey, String eventType, Instant occurredAt,
                    String headersJson, byte[] body, String payloadJson) {
    }

    /** The stored event of a request: the new row, or the first copy's row when this was a duplicate. */
    record Stored(long eventId, boolean duplicate) {
    }

    /** The database cannot be reached or the server is stopping: the sender should retry later. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Pending(NewEvent event, CompletableFuture<Stored> result) {
    }

    private record Key(UUID sourceId, String dedupeKey) {
    }

    private static final Comparator<Pending> ORDER = Comparator.comparing((Pending p) -> p.event().sourceId())
            .thenComparing(p -> p.event().dedupeKey());

    private final DataSource dataSource;
    private final JobQueue jobs;
    private final int maxBatch;
    private final long lingerNanos;
    private final int lingerUntil;
    private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final int committerThreads;
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean closed;

    EventWriter(DataSource dataSource, JobQueue jobs, int maxBatch, Duration linger, int lingerUntil, int committerThreads) {
        this.dataSource = dataSource;
        this.jobs = jobs;
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.lingerUntil = Math.min(lingerUntil, maxBatch);
        this.committerThreads = committerThreads;
    }

    /** Starts the committers; events submitted before wait for them. */
    synchronized EventWriter start() {
        if (committers.isEmpty()) {
            for (int i = 0; i < committerThreads; i++) {
                committers.add(Thread.ofPlatform().daemon().name("webhook-committer-" + i).start(this::run));
            }
        }
        return this;
    }

    /** Queues {@code event} for the next group commit; the future completes after that commit. */
    CompletableFuture<Stored> submit(NewEvent event) {
        CompletableFuture<Stored> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new Unavailable("the server is shutting down", null));
            return result;
        }
        pending.add(new Pending(event, result));
        if (closed && pending.remove(new Pending(event, result))) {
            result.completeExceptionally(new Unavailable("the server is shutting down", null));
        }
        return result;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!closed || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, maxBatch - 1);
                if (batch.size() > 1 && batch.size() < lingerUntil) {
                    linger(batch);
                }
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(batch, new Unavailable("the server is shutting down", e));
                return;
            } catch (RuntimeException | Error e) {
                log.error("Webhook committer failed", e);
                fail(batch, new Unavailable("the event could not be stored", e));
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Under load (more than one event was waiting) waits up to the linger time for more, until the batch has
     * {@code lingerUntil} events, so a batch shares its job and its commit among more events; a lone event is written
     * at once, and so is a batch that is large already (waiting then would only add latency).
     */
    private void linger(List<Pending> batch) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < lingerUntil) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Pending next = pending.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            pending.drainTo(batch, maxBatch - batch.size());
        }
    }

    private void write(List<Pending> batch) {
        batch.sort(ORDER);
        Written written;
        try {
            written = store(batch);
        } catch (SQLException e) {
            if (DatabaseErrors.unreachable(e) || batch.size() == 1) {
                if (!DatabaseErrors.unreachable(e)) {
                    log.error("Could not store a webhook event of source {}: {}", batch.getFirst().event().sourceId(), brief(e));
                }
                fail(batch, new Unavailable("the event could not be stored: " + brief(e), e));
                return;
            }
            // Something about one event: store each alone so the others still succeed.
            log.warn("A batch of {} webhook events failed ({}); storing them one by one", batch.size(), brief(e));
            for (Pending p : batch) {
                write(new ArrayList<>(List.of(p)));
            }
            return;
        }
        written.stored().forEach((p, stored) -> p.result().complete(stored));
        for (Pending p : written.foreign()) {
            log.error("A webhook event of source {} was not stored: the source is not of organization {}",
                    p.event().sourceId(), p.event().orgId());
            p.result().completeExceptionally(new Unavailable("the event's source is not of its organization", null));
        }
        for (Pending p : written.missing()) {
            // Its key's row was neither written by this batch nor visible afterwards: nothing was acknowledged.
            log.warn("Webhook event {} was neither stored nor found; answered unavailable", key(p));
            p.result().completeExceptionally(new Unavailable("the event could not be stored", null));
        }
    }

    /**
     * What a committed batch did, per request: stored (or found as a duplicate); of a source that is not of the
     * event's organization (nothing written); or a duplicate of a key whose row could not be found (nothing written).
     */
    private record Written(Map<Pending, Stored> stored, List<Pending> foreign, List<Pending> missing) {
    }

    /**
     * Writes the batch in one transaction: the batch statement, the lookup of keys it could not see (rarely), and the
     * commit. If it throws, nothing of the batch was written.
     */
    private Written store(List<Pending> batch) throws SQLException {
        EmbeddedJob job = jobs.embed(JobRequest.of(WebhookProcessingConfiguration.PROCESS,
                new WebhookProcessor.ProcessArgs(batch.size())));
        Written written;
        try (Connection connection = dataSource.getConnection()) {
            written = Transactions.inTransaction(connection, c -> store(c, batch, job));
        }
        job.inserted();
        return written;
    }

    private static Written store(Connection connection, List<Pending> batch, EmbeddedJob job) throws SQLException {
        int n = batch.size();
        Map<Pending, Stored> stored = new HashMap<>(n * 2);
        List<Pending> unseen = new ArrayList<>();
        List<Pending> foreign = new ArrayList<>();
        try (PreparedStatement insert = connection.prepareStatement(STORE_BATCH)) {
            int i = job.bind(insert, 1);
            insert.setArray(i++, array(connection, "uuid", batch.stream().map(p -> p.event().orgId()).toArray()));
            insert.setArray(i++, array(connection, "uuid", batch.stream().map(p -> p.event().sourceId()).toArray()));
            insert.setArray(i++, array(connection, "text", batch.stream().map(p -> p.event().provider()).toArray()));
            insert.setArray(i++, array(connection, "text", batch.stream().map(p -> p.event().dedupeKey()).toArray()));
            insert.setArray(i++, array(connection, "text", batch.stream().map(p -> p.event().eventType()).toArray()));
            insert.setArray(i++, array(connection, "text", batch.stream()
                    .map(p -> p.event().occurredAt() == null ? null : p.event().occurredAt().toString()).toArray()));
            insert.setArray(i++, array(connection, "text", batch.stream().map(p -> p.event().headersJson()).toArray()));
            insert.setArray(i++, connection.createArrayOf("bytea", batch.stream().map(p -> p.event().body()).toArray(byte[][]::new)));
            insert.setArray(i, array(connection, "text", batch.stream().map(p -> p.event().payloadJson()).toArray()));
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    Pending p = batch.get(rs.getInt(1) - 1);
                    long eventId = rs.getLong(2);
                    if (!rs.wasNull()) {
                        stored.put(p, new Stored(eventId, rs.getBoolean(3)));
                    } else if (rs.getBoolean(4)) {
                        foreign.add(p);
                    } else {
                        unseen.add(p);
                    }
                }
            }
        }
        if (stored.size() + unseen.size() + foreign.size() != n) {
            throw new SQLException((stored.size() + unseen.size() + foreign.size()) + " of " + n + " events came back from their batch", "XX000");
        }
        List<Pending> missing = unseen.isEmpty() ? List.of() : storeUnseen(connection, unseen, stored);
        return new Written(stored, foreign, missing);
    }

    /**
     * The duplicates of keys another transaction stored after the batch's statement began (another server instance):
     * found now by a statement of their own (a new snapshot), each with its receipt. Returns those not found.
     */
    private static List<Pending> storeUnseen(Connection connection, List<Pending> unseen, Map<Pending, Stored> stored) throws SQLException {
        Map<Key, Long> existing = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(EXISTING_EVENTS)) {
            select.setArray(1, array(connection, "uuid", unseen.stream().map(p -> p.event().sourceId()).toArray()));
            select.setArray(2, array(connection, "text", unseen.stream().map(p -> p.event().dedupeKey()).toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    existing.put(new Key(rs.getObject(2, UUID.class), rs.getString(3)), rs.getLong(1));
                }
            }
        }
        List<Pending> found = new ArrayList<>();
        List<Pending> missing = new ArrayList<>();
        for (Pending p : unseen) {
            Long eventId = existing.get(key(p));
            if (eventId == null) {
                missing.add(p);
            } else {
                stored.put(p, new Stored(eventId, true));
                found.add(p);
            }
        }
        if (found.isEmpty()) {
            return missing;
        }
        try (PreparedStatement receipts = connection.prepareStatement(INSERT_RECEIPTS)) {
            receipts.setArray(1, array(connection, "uuid", found.stream().map(p -> p.event().orgId()).toArray()));
            receipts.setArray(2, array(connection, "uuid", found.stream().map(p -> p.event().sourceId()).toArray()));
            receipts.setArray(3, array(connection, "bigint", found.stream().map(p -> stored.get(p).eventId()).toArray()));
            int written = receipts.executeUpdate();
            // The join writes a receipt only for a source of the event's organization: fewer means one was not.
            if (written != found.size()) {
                throw new SQLException(written + " of " + found.size() + " receipts written: a source is not its organization's", "XX000");
            }
        }
        return missing;
    }

    /**
     * SQLSTATE and the first line of the message, short: PostgreSQL's detail may quote the failing row, i.e. a
     * whole event body, which has no place in a log.
     */
    static String brief(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return "SQLSTATE " + e.getSQLState() + ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
    }

    private static Key key(Pending p) {
        return new Key(p.event().sourceId(), p.event().dedupeKey());
    }

    private static Array array(Connection connection, String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }

    private static void fail(List<Pending> batch, RuntimeException failure) {
        batch.forEach(p -> p.result().completeExceptionally(failure));
    }

    /** Stops taking events; what is queued is still written before this returns. */
    @Override
    public void close() {
        closed = true;
        for (Thread committer : committers) {
            try {
                committer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Pending left;
        while ((left = pending.poll()) != null) {
            left.result().completeExceptionally(new Unavailable("the server is shutting down", null));
        }
    }
}
