package io.switchboard.lock;

import static io.switchboard.db.Columns.instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Named leases shared by every instance on one database: acquire (try, or wait up to a timeout), renew,
 * release, with a fencing token that strictly increases for every new holder. The TTL runs on database time,
 * so an instance whose clock is off cannot take or keep a lease early or late. One statement per operation.
 * Obtain it from {@code Switchboard.leases()}. Thread-safe.
 */
public final class Leases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leases.class);

    private final DataSource dataSource;
    private final String instanceId;
    private final ScheduledExecutorService keepAlive;
    private final Set<HeldLease> held = ConcurrentHashMap.newKeySet();

    /** Leases on {@code dataSource}, taken in the name of {@code instanceId}. The schema must be migrated. */
    public Leases(DataSource dataSource, String instanceId) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.keepAlive = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("switchboard-lease-keepalive").factory());
    }

    /** Takes the lease if nobody holds it (or the holder's lease expired); empty if it is held. */
    public Optional<Lease> tryAcquire(String name, LeaseOptions options) {
        requireName(name);
        Objects.requireNonNull(options, "options");
        String holder = instanceId + "/" + UUID.randomUUID();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(LeaseSql.ACQUIRE)) {
            ps.setString(1, name);
            ps.setString(2, holder);
            ps.setString(3, instanceId);
            ps.setLong(4, options.ttl().toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                HeldLease lease = new HeldLease(name, holder, rs.getLong(1), instant(rs, 2), instant(rs, 3), options);
                held.add(lease);
                if (options.keepAlive()) {
                    long period = Math.max(10, options.ttl().toMillis() / 3);
                    lease.renewal = keepAlive.scheduleWithFixedDelay(lease::keepAlive, period, period, TimeUnit.MILLISECONDS);
                }
                log.debug("Lease '{}' acquired with fencing token {}", name, lease.token);
                return Optional.of(lease);
            }
        } catch (SQLException e) {
            throw new LeaseException("could not acquire lease '" + name + "'", e);
        }
    }

    /**
     * Takes the lease, waiting up to {@code wait} for the current holder to release it or for its lease to lapse.
     *
     * @throws LeaseUnavailableException if it is still held after {@code wait}
     */
    public Lease acquire(String name, LeaseOptions options, Duration wait) {
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, was " + wait);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 10;
        while (true) {
            Optional<Lease> lease = tryAcquire(name, options);
            if (lease.isPresent()) {
                return lease.get();
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new LeaseUnavailableException(name, wait);
            }
            try {
                Thread.sleep(Math.min(left, pause + ThreadLocalRandom.current().nextLong(pause / 2 + 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseUnavailableException(name, wait);
            }
            pause = Math.min(500, pause * 2);
        }
    }

    /**
     * Runs {@code work} holding the lease (kept alive while it runs) if the lease can be taken now, then releases
     * it. Empty if another holder has it. The work receives the lease, for its fencing token and guard.
     */
    public <R> Optional<R> runIfFree(String name, LeaseOptions options, Function<Lease, R> work) {
        Optional<Lease> lease = tryAcquire(name, options);
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (Lease l = lease.get()) {
            return Optional.ofNullable(work.apply(l));
        }
    }

    /** The lease as stored, held or not. */
    public Optional<LeaseInfo> find(String name) {
        requireName(name);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(LeaseSql.FIND)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(info(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LeaseException("could not read lease '" + name + "'", e);
        }
    }

    /** Every lease held now, across all instances. */
    public List<LeaseInfo> listHeld() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(LeaseSql.LIST_HELD);
             ResultSet rs = ps.executeQuery()) {
            List<LeaseInfo> leases = new ArrayList<>();
            while (rs.next()) {
                leases.add(info(rs));
            }
            return leases;
        } catch (SQLException e) {
            throw new LeaseException("could not list leases", e);
        }
    }

    /**
     * Checks inside the caller's transaction that {@code fencingToken} still holds lease {@code name}, and locks
     * the lease against takeover until that transaction ends. For writers that received a token from elsewhere.
     *
     * @throws StaleLeaseException if it does not
     */
    public static void guard(Connection connection, String name, long fencingToken) throws SQLException {
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("a lease guard needs a transaction: call setAutoCommit(false) first");
        }
        try (PreparedStatement ps = connection.prepareStatement(LeaseSql.GUARD)) {
            ps.setString(1, name);
            ps.setLong(2, fencingToken);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StaleLeaseException(name, fencingToken);
                }
            }
        }
    }

    /** Deletes lease rows expired for over an hour; returns how many. Run by the maintenance schedule. */
    public int cleanupExpired() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(LeaseSql.CLEANUP)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new LeaseException("could not clean up expired leases", e);
        }
    }

    /** Releases every lease this object still holds and stops keep-alives. */
    @Override
    public void close() {
        new ArrayList<>(held).forEach(HeldLease::release);
        keepAlive.shutdownNow();
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("lease name must be 1 to 200 characters and not blank");
        }
    }

    private static LeaseInfo info(ResultSet rs) throws SQLException {
        return new LeaseInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), instant(rs, 5),
                instant(rs, 6), instant(rs, 7), rs.getBoolean(8));
    }


    private final class HeldLease implements Lease {
        private final String name;
        private final String holder;
        private final long token;
        private final Instant acquiredAt;
        private final LeaseOptions options;
        private volatile Instant expiresAt;
        private volatile boolean held = true;
        private volatile ScheduledFuture<?> renewal;

        HeldLease(String name, String holder, long token, Instant acquiredAt, Instant expiresAt, LeaseOptions options) {
            this.name = name;
            this.holder = holder;
            this.token = token;
            this.acquiredAt = acquiredAt;
            this.expiresAt = expiresAt;
            this.options = options;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        @Override
        public Instant expiresAt() {
            return expiresAt;
        }

        @Override
        public boolean isHeld() {
            return held;
        }

        @Override
        public boolean renew() {
            if (!held) {
                return false;
            }
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(LeaseSql.RENEW)) {
                ps.setLong(1, options.ttl().toMillis());
                ps.setString(2, name);
                ps.setLong(3, token);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        expiresAt = instant(rs, 1);
                        return true;
                    }
                }
            } catch (SQLException e) {
                throw new LeaseException("could not renew lease '" + name + "'", e);
            }
            lost("it expired before the renewal");
            return false;
        }

        void keepAlive() {
            try {
                renew();
            } catch (LeaseException e) {
                // Keep trying until the lease would have lapsed anyway; the database decides after that.
                log.warn("Lease '{}' (token {}) could not be renewed: {}", name, token, e.getMessage());
            }
        }

        private void lost(String why) {
            if (held) {
                held = false;
                stopRenewal();
                Leases.this.held.remove(this);
                log.warn("Lease '{}' (token {}) lost: {}", name, token, why);
            }
        }

        @Override
        public void release() {
            if (!held) {
                return;
            }
            held = false;
            stopRenewal();
            Leases.this.held.remove(this);
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(LeaseSql.RELEASE)) {
                ps.setLong(1, options.lockAtLeast().toMillis());
                ps.setString(2, name);
                ps.setLong(3, token);
                ps.executeUpdate();
                log.debug("Lease '{}' (token {}) released", name, token);
            } catch (SQLException e) {
                log.warn("Lease '{}' (token {}) could not be released; it lapses at {}", name, token, expiresAt, e);
            }
        }

        @Override
        public void guard(Connection connection) throws SQLException {
            Leases.guard(connection, name, token);
        }

        @Override
        public void close() {
            release();
        }

        private void stopRenewal() {
            ScheduledFuture<?> r = renewal;
            if (r != null) {
                r.cancel(false);
            }
        }

        @Override
        public String toString() {
            return "lease '" + name + "' (token " + token + ", acquired " + acquiredAt + ")";
        }
    }
}
