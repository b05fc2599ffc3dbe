package io.switchboard.server.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One named in-process cache: entries live at most {@link #ttl()}, the least recently used entry goes when
 * {@link #maxSize()} is exceeded. Get one from {@link Caches}; invalidate through {@link Caches} so that every
 * instance drops the entry.
 *
 * <p>A value loaded while an invalidation of this cache happened is returned but not kept: it may have been read
 * before the change that caused the invalidation committed. Concurrent misses on one key may each run the loader.
 *
 * @param <V> the cached values' type
 */
public final class LocalCache<V> {
    private final String name;
    private final Duration ttl;
    private final int maxSize;
    private final Clock clock;
    private final Map<String, Slot<V>> entries;
    /** Bumped by every invalidation; a load that saw another generation is not cached. */
    private long generation;
    private final Counter hits;
    private final Counter misses;
    private final Counter evictedForSize;
    private final Counter expired;
    private final Counter invalidations;

    private record Slot<V>(V value, Instant expiresAt) {
    }

    LocalCache(String name, Duration ttl, int maxSize, Clock clock, MeterRegistry meters) {
        this.name = name;
        this.ttl = ttl;
        this.maxSize = maxSize;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot<V>> eldest) {
                if (size() > LocalCache.this.maxSize) {
                    evictedForSize.increment();
                    return true;
                }
                return false;
            }
        };
        this.hits = Counter.builder("cache.gets").tag("cache", name).tag("result", "hit")
                .description("Reads of the cache").register(meters);
        this.misses = Counter.builder("cache.gets").tag("cache", name).tag("result", "miss")
                .description("Reads of the cache").register(meters);
        this.evictedForSize = Counter.builder("cache.evictions").tag("cache", name).tag("cause", "size")
                .description("Entries dropped by the cache itself").register(meters);
        this.expired = Counter.builder("cache.evictions").tag("cache", name).tag("cause", "expired")
                .description("Entries dropped by the cache itself").register(meters);
        this.invalidations = Counter.builder("cache.invalidations").tag("cache", name)
                .description("Invalidations received (local or from another instance)").register(meters);
        Gauge.builder("cache.size", this, LocalCache::size).tag("cache", name)
                .description("Entries in the cache").register(meters);
    }

    /** The cache's name. */
    public String name() {
        return name;
    }

    /** How long an entry lives after it was loaded. */
    public Duration ttl() {
        return ttl;
    }

    /** Most entries kept. */
    public int maxSize() {
        return maxSize;
    }

    /**
     * The cached value of {@code key}, or the loader's value, which is cached unless the cache was invalidated
     * while it loaded. A {@code null} from the loader is returned and not cached; its exceptions propagate.
     */
    public V get(String key, Supplier<? extends V> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(loader, "loader");
        long seen;
        synchronized (this) {
            Slot<V> entry = entries.get(key);
            if (entry != null) {
                if (clock.instant().isBefore(entry.expiresAt())) {
                    hits.increment();
                    return entry.value();
                }
                entries.remove(key);
                expired.increment();
            }
            misses.increment();
            seen = generation;
        }
        V value = loader.get();
        if (value != null) {
            synchronized (this) {
                if (generation == seen) {
                    entries.put(key, new Slot<>(value, clock.instant().plus(ttl)));
                }
            }
        }
        return value;
    }

    /** Entries currently held, expired ones included until they are next read. */
    public synchronized int size() {
        return entries.size();
    }

    synchronized void invalidateLocally(Predicate<String> keys) {
        generation++;
        invalidations.increment();
        entries.keySet().removeIf(keys);
    }

    synchronized void clearLocally() {
        generation++;
        invalidations.increment();
        entries.clear();
    }
}
