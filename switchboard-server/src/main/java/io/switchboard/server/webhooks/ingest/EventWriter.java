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
 * it in one transaction of at most four statements whatever its size: one processing job for the batch (its
 * insert also sends its wake-up), the events naming it ({@code ON CONFLICT (source_id, dedupe_key) DO NOTHING}: the
 * first copy wins), the first copies of the duplicates, and a receipt per duplicate (a first copy's receipt is its
 * event row). The job is written first so each event row is written once, with its job; a batch of duplicates only
 * leaves a job that finds nothing to do.
 * Each request learns its own outcome after the commit. If the batch fails for a reason of one event, every event
 * is retried in a transaction of its own so one bad event fails alone; if the database is unreachable every waiter
 * gets {@link Unavailable}.
 */
final class EventWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventWriter.class);

    // Sorted input: concurrent batches take conflicting keys in the same order and cannot deadlock. The join writes
    // only events of an existing source of the event's organization, without locking the source's row (V6).
    private static final String INSERT_EVENTS = """
            INSERT INTO app.webhook_events (org_id, source_id, provider, dedupe_key, event_type, occurred_at, headers, body, payload, job_id)
            SELECT e.org_id, e.source_id, e.provider, e.dedupe_key, e.event_type, e.occurred_at, e.headers, e.body, e.payload, ?
            FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::jsonb[], ?::bytea[], ?::jsonb[])
                 WITH ORDINALITY AS e(org_id, source_id, provider, dedupe_key, event_type, occurred_at, headers, body, payload, n)
            JOIN app.webhook_sources s ON s.id = e.source_id AND s.org_id = e.org_id
            ORDER BY e.n
            ON CONFLICT (source_id, dedupe_key) DO NOTHING
            RETURNING id, source_id, dedupe_key""";
    // One unique-index probe per key. As a join (a plain LATERAL subquery is pulled up into one), the generic plan
    // may hash a scan of the whole table: 3 ms a call seen in the benchmark. LIMIT keeps the subquery a per-key probe.
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
        Map<Key, Long> inserted = new HashMap<>();
        long jobId = jobs.enqueue(connection, JobRequest.of(WebhookProcessingConfiguration.PROCESS,
                new WebhookProcessor.ProcessArgs(n))).id();
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENTS)) {
            insert.setLong(1, jobId);
            insert.setArray(2, array(connection, "uuid", batch.stream().map(p -> p.event().orgId()).toArray()));
            insert.setArray(3, array(connection, "uuid", batch.stream().map(p -> p.event().sourceId()).toArray()));
            insert.setArray(4, array(connection, "text", batch.stream().map(p -> p.event().provider()).toArray()));
            insert.setArray(5, array(connection, "text", batch.stream().map(p -> p.event().dedupeKey()).toArray()));
            insert.setArray(6, array(connection, "text", batch.stream().map(p -> p.event().eventType()).toArray()));
            insert.setArray(7, array(connection, "text", batch.stream()
                    .map(p -> p.event().occurredAt() == null ? null : p.event().occurredAt().toString()).toArray()));
            insert.setArray(8, array(connection, "text", batch.stream().map(p -> p.event().headersJson()).toArray()));
            insert.setArray(9, connection.createArrayOf("bytea", batch.stream().map(p -> p.event().body()).toArray(byte[][]::new)));
            insert.setArray(10, array(connection, "text", batch.stream().map(p -> p.event().payloadJson()).toArray()));
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    inserted.put(new Key(rs.getObject(2, UUID.class), rs.getString(3)), rs.getLong(1));
                }
            }
        }
        Map<Key, Long> existing = new HashMap<>();
        List<Pending> duplicates = batch.stream().filter(p -> !inserted.containsKey(key(p))).toList();
        if (!duplicates.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(EXISTING_EVENTS)) {
                select.setArray(1, array(connection, "uuid", duplicates.stream().map(p -> p.event().sourceId()).toArray()));
                select.setArray(2, array(connection, "text", duplicates.stream().map(p -> p.event().dedupeKey()).toArray()));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        existing.put(new Key(rs.getObject(2, UUID.class), rs.getString(3)), rs.getLong(1));
                    }
                }
            }
        }

        // The first request of a new key in this batch owns the new row; later copies are duplicates.
        Map<Pending, Stored> stored = new HashMap<>(n * 2);
        Map<Key, Boolean> claimed = new HashMap<>();
        for (Pending p : batch) {
            Key key = key(p);
            Long id = inserted.get(key);
            if (id != null && claimed.putIfAbsent(key, true) == null) {
                stored.put(p, new Stored(id, false));
            } else {
                Long eventId = id != null ? id : existing.get(key);
                if (eventId == null) {
                    throw new SQLException("event " + key + " was neither inserted nor found", "XX000");
                }
                stored.put(p, new Stored(eventId, true));
            }
        }

        // The first copy's receipt is its event row; only duplicates get a receipt row of their own.
        List<Pending> copies = batch.stream().filter(p -> stored.get(p).duplicate()).toList();
        if (!copies.isEmpty()) {
            try (PreparedStatement receipts = connection.prepareStatement(INSERT_RECEIPTS)) {
                receipts.setArray(1, array(connection, "uuid", copies.stream().map(p -> p.event().orgId()).toArray()));
                receipts.setArray(2, array(connection, "uuid", copies.stream().map(p -> p.event().sourceId()).toArray()));
                receipts.setArray(3, array(connection, "bigint", copies.stream().map(p -> stored.get(p).eventId()).toArray()));
                int written = receipts.executeUpdate();
                if (written != copies.size()) {
                    throw new SQLException(written + " of " + copies.size() + " receipts written: a source is not its organization's", "XX000");
                }
            }
        }
        return stored;
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
