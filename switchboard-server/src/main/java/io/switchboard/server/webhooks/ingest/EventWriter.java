package io.switchboard.server.webhooks.ingest;

import io.switchboard.db.Transactions;
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
 * it in one transaction of two statements whatever its size: one processing job for the batch (its insert also sends
 * its wake-up), then one statement that writes the events naming it ({@code ON CONFLICT (source_id, dedupe_key) DO
 * NOTHING}: the first copy wins), finds the first copies of the duplicates and writes a receipt per duplicate (a first
 * copy's receipt is its event row). The committer is the pipeline's one serial stage, so each round trip it saves is
 * throughput. The job is written first so each event row is written once, with its job; a batch of duplicates only
 * leaves a job that finds nothing to do.
 * Each request learns its own outcome after the commit. If the batch fails for a reason of one event, every event
 * is retried in a transaction of its own so one bad event fails alone; if the database is unreachable every waiter
 * gets {@link Unavailable}.
 */
final class EventWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventWriter.class);

    // One statement stores a batch: its events, and a receipt for each duplicate (a first copy's receipt is its event
    // row). Sorted input: concurrent batches take conflicting keys in the same order and cannot deadlock. The joins
    // write only events and receipts of an existing source of the event's organization, without locking the source's
    // row (V6). Every input row comes back by its position n with its event: the row it inserted (duplicate false,
    // only the first copy of a key within the batch), the batch's row of its key, or an earlier row of its key, found by
    // one unique-index probe (LIMIT keeps it a probe: as a join the generic plan may hash a scan of the whole table,
    // 3 ms a call seen in the benchmark). A key stored by a concurrent transaction that committed after this
    // statement's snapshot comes back without an event id: the caller looks it up again (EXISTING_EVENTS).
    static final String STORE_BATCH = """
            WITH e AS MATERIALIZED (
                SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::jsonb[], ?::bytea[], ?::jsonb[])
                     WITH ORDINALITY AS e(org_id, source_id, provider, dedupe_key, event_type, occurred_at, headers, body, payload, n)
            ), inserted AS (
                INSERT INTO app.webhook_events (org_id, source_id, provider, dedupe_key, event_type, occurred_at, headers, body, payload, job_id)
                SELECT e.org_id, e.source_id, e.provider, e.dedupe_key, e.event_type, e.occurred_at, e.headers, e.body, e.payload, ?
                FROM e JOIN app.webhook_sources s ON s.id = e.source_id AND s.org_id = e.org_id
                ORDER BY e.n
                ON CONFLICT (source_id, dedupe_key) DO NOTHING
                RETURNING id, source_id, dedupe_key
            ), outcome AS MATERIALIZED (
                SELECT e.n, e.org_id, e.source_id, coalesce(i.id, x.id) AS event_id,
                       i.id IS NULL OR e.n > min(e.n) OVER (PARTITION BY e.source_id, e.dedupe_key) AS duplicate
                FROM e
                LEFT JOIN inserted i ON i.source_id = e.source_id AND i.dedupe_key = e.dedupe_key
                LEFT JOIN LATERAL (SELECT w.id FROM app.webhook_events w
                                   WHERE i.id IS NULL AND w.source_id = e.source_id AND w.dedupe_key = e.dedupe_key
                                   LIMIT 1) x ON true
            ), receipts AS (
                INSERT INTO app.webhook_receipts (org_id, source_id, event_id, duplicate)
                SELECT o.org_id, o.source_id, o.event_id, true FROM outcome o
                JOIN app.webhook_sources s ON s.id = o.source_id AND s.org_id = o.org_id
                WHERE o.duplicate AND o.event_id IS NOT NULL
                RETURNING 1
            )
            SELECT o.n, o.event_id, o.duplicate, (SELECT count(*) FROM receipts) AS receipts FROM outcome o""";
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
        try {
            Map<Pending, Stored> stored = inTransaction(batch);
            batch.forEach(p -> p.result().complete(stored.get(p)));
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
        }
    }

    private Map<Pending, Stored> inTransaction(List<Pending> batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return Transactions.inTransaction(connection, c -> store(c, batch));
        }
    }

    private Map<Pending, Stored> store(Connection connection, List<Pending> batch) throws SQLException {
        int n = batch.size();
        long jobId = jobs.enqueue(connection, JobRequest.of(WebhookProcessingConfiguration.PROCESS,
                new WebhookProcessor.ProcessArgs(n))).id();
        Map<Pending, Stored> stored = new HashMap<>(n * 2);
        List<Pending> unseen = new ArrayList<>();
        long receiptsExpected = 0;
        long receiptsWritten = 0;
        try (PreparedStatement insert = connection.prepareStatement(STORE_BATCH)) {
            insert.setArray(1, array(connection, "uuid", batch.stream().map(p -> p.event().orgId()).toArray()));
            insert.setArray(2, array(connection, "uuid", batch.stream().map(p -> p.event().sourceId()).toArray()));
            insert.setArray(3, array(connection, "text", batch.stream().map(p -> p.event().provider()).toArray()));
            insert.setArray(4, array(connection, "text", batch.stream().map(p -> p.event().dedupeKey()).toArray()));
            insert.setArray(5, array(connection, "text", batch.stream().map(p -> p.event().eventType()).toArray()));
            insert.setArray(6, array(connection, "text", batch.stream()
                    .map(p -> p.event().occurredAt() == null ? null : p.event().occurredAt().toString()).toArray()));
            insert.setArray(7, array(connection, "text", batch.stream().map(p -> p.event().headersJson()).toArray()));
            insert.setArray(8, connection.createArrayOf("bytea", batch.stream().map(p -> p.event().body()).toArray(byte[][]::new)));
            insert.setArray(9, array(connection, "text", batch.stream().map(p -> p.event().payloadJson()).toArray()));
            insert.setLong(10, jobId);
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    Pending p = batch.get(rs.getInt(1) - 1);
                    receiptsWritten = rs.getLong(4); // the statement's count, the same on every row
                    long eventId = rs.getLong(2);
                    if (rs.wasNull()) {
                        unseen.add(p);
                        continue;
                    }
                    boolean duplicate = rs.getBoolean(3);
                    stored.put(p, new Stored(eventId, duplicate));
                    receiptsExpected += duplicate ? 1 : 0;
                }
            }
        }
        if (stored.size() + unseen.size() != n) {
            throw new SQLException((stored.size() + unseen.size()) + " of " + n + " events came back from their batch", "XX000");
        }
        requireReceipts(receiptsWritten, receiptsExpected);
        if (!unseen.isEmpty()) {
            storeUnseen(connection, unseen, stored);
        }
        return stored;
    }

    /**
     * The duplicates of keys another transaction stored after the batch's statement began (another server instance):
     * found now, each with its receipt.
     */
    private static void storeUnseen(Connection connection, List<Pending> unseen, Map<Pending, Stored> stored) throws SQLException {
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
        for (Pending p : unseen) {
            Long eventId = existing.get(key(p));
            if (eventId == null) {
                throw new SQLException("event " + key(p) + " was neither inserted nor found", "XX000");
            }
            stored.put(p, new Stored(eventId, true));
        }
        try (PreparedStatement receipts = connection.prepareStatement(INSERT_RECEIPTS)) {
            receipts.setArray(1, array(connection, "uuid", unseen.stream().map(p -> p.event().orgId()).toArray()));
            receipts.setArray(2, array(connection, "uuid", unseen.stream().map(p -> p.event().sourceId()).toArray()));
            receipts.setArray(3, array(connection, "bigint", unseen.stream().map(p -> stored.get(p).eventId()).toArray()));
            requireReceipts(receipts.executeUpdate(), unseen.size());
        }
    }

    /** A duplicate's receipt is written only for a source of the event's organization: fewer means one was not. */
    private static void requireReceipts(long written, long expected) throws SQLException {
        if (written != expected) {
            throw new SQLException(written + " of " + expected + " receipts written: a source is not its organization's", "XX000");
        }
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
