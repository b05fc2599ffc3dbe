package io.switchboard.server.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.db.DatabaseException;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The named in-process caches of this instance, and their invalidation across every instance sharing the
 * database: an invalidation drops the entry here at once and is sent to all instances (this one included) with
 * a NOTIFY on {@value Invalidation#CHANNEL}. Sent inside a transaction, the NOTIFY goes out when it commits,
 * so other instances drop their entry only once the new data is visible and cannot load the old value again.
 *
 * <pre>{@code
 * LocalCache<Report> reports = caches.cache("usage-report", Duration.ofMinutes(5), 10_000);
 * Report r = reports.get(orgId + ":" + month, () -> loadReport(orgId, month));
 * // after the data behind it changed, in the same transaction as the change:
 * caches.invalidate("usage-report", orgId + ":" + month);
 * }</pre>
 */
public class Caches {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final String NOTIFY = "SELECT pg_notify(?, ?)";
    private static final int MAX_ATTEMPTS = 3;

    private final DataSource dataSource;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ConcurrentMap<String, LocalCache<?>> caches = new ConcurrentHashMap<>();

    public Caches(DataSource dataSource, Clock clock, MeterRegistry meters) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    /**
     * The cache called {@code name}, created with {@code ttl} and {@code maxSize} on first use.
     *
     * @throws IllegalArgumentException for a bad name, a non-positive ttl or size, or a cache of that name that
     *                                  exists with other settings
     */
    @SuppressWarnings("unchecked")
    public <V> LocalCache<V> cache(String name, Duration ttl, int maxSize) {
        requireName(name);
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("cache '" + name + "': ttl must be positive, got " + ttl);
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("cache '" + name + "': maxSize must be at least 1, got " + maxSize);
        }
        LocalCache<?> cache = caches.computeIfAbsent(name, n -> new LocalCache<>(n, ttl, maxSize, clock, meters));
        if (!cache.ttl().equals(ttl) || cache.maxSize() != maxSize) {
            throw new IllegalArgumentException("cache '" + name + "' already exists with ttl " + cache.ttl()
                    + " and maxSize " + cache.maxSize() + "; asked for ttl " + ttl + " and maxSize " + maxSize);
        }
        return (LocalCache<V>) cache;
    }

    /**
     * Drops {@code key} of cache {@code cache} on every instance. Inside a Spring-managed transaction the other
     * instances are told when it commits (and not at all if it rolls back).
     */
    public void invalidate(String cache, String key) {
        requireName(cache);
        Objects.requireNonNull(key, "key");
        send(Invalidation.ofKey(cache, key));
    }

    /** Drops every entry of cache {@code cache} on every instance; transactional like {@link #invalidate(String, String)}. */
    public void invalidateAll(String cache) {
        requireName(cache);
        send(Invalidation.ofAll(cache));
    }

    /** {@link #invalidate(String, String)} in the caller's JDBC transaction on {@code connection}. */
    public void invalidate(Connection connection, String cache, String key) throws SQLException {
        requireName(cache);
        Objects.requireNonNull(key, "key");
        send(connection, Invalidation.ofKey(cache, key));
    }

    /** {@link #invalidateAll(String)} in the caller's JDBC transaction on {@code connection}. */
    public void invalidateAll(Connection connection, String cache) throws SQLException {
        requireName(cache);
        send(connection, Invalidation.ofAll(cache));
    }

    private void send(Invalidation invalidation) {
        for (int attempt = 1; ; attempt++) {
            // The transaction's connection if Spring manages one, else a connection of the pool in auto-commit mode.
            Connection connection = DataSourceUtils.getConnection(dataSource);
            boolean transactional = DataSourceUtils.isConnectionTransactional(connection, dataSource);
            try {
                send(connection, invalidation);
                return;
            } catch (SQLException e) {
                // Outside a transaction a NOTIFY is safe to repeat: again on another connection when the pooled one
                // turned out dead (the database restarted since it was last used; the pool drops it).
                if (transactional || attempt >= MAX_ATTEMPTS || !isBrokenConnection(e)) {
                    throw new DatabaseException("could not send cache invalidation " + invalidation.payload(), e);
                }
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        }
    }

    private static boolean isBrokenConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    private void send(Connection connection, Invalidation invalidation) throws SQLException {
        // First here, so this instance never serves the old value after the call; again when the NOTIFY arrives,
        // in case this instance re-cached the old value before the transaction committed.
        apply(invalidation);
        try (PreparedStatement ps = connection.prepareStatement(NOTIFY)) {
            ps.setString(1, Invalidation.CHANNEL);
            ps.setString(2, invalidation.payload());
            ps.execute();
        }
    }

    /** Applies an invalidation this instance received. */
    void received(String payload) {
        Invalidation invalidation = Invalidation.parse(payload);
        if (invalidation != null) {
            apply(invalidation);
        }
    }

    /** Empties every cache: after notifications may have been missed. */
    void clearAll() {
        caches.values().forEach(LocalCache::clearLocally);
    }

    private void apply(Invalidation invalidation) {
        LocalCache<?> cache = caches.get(invalidation.cache());
        if (cache == null) {
            return;
        }
        if (invalidation.key() == null) {
            cache.clearLocally();
        } else {
            cache.invalidateLocally(invalidation.keys());
        }
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cache name must be 1 to 100 letters, digits, '.', '_' or '-', got '" + name + "'");
        }
    }
}
