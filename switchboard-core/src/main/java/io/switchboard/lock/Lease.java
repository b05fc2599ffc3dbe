package io.switchboard.lock;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * A held lease. Close it (or {@link #release()}) when done; with {@link LeaseOptions#keepAlive()} it is renewed
 * automatically until then. Pass {@link #fencingToken()} along with every write the lease protects, and guard
 * those writes with {@link #guard(Connection)} (or compare tokens in the protected resource) so that a holder
 * that lost the lease without noticing — a GC pause, a partition — cannot overwrite a newer holder's work.
 */
public interface Lease extends AutoCloseable {
    /** The lease's name. */
    String name();

    /** Strictly larger for every new holder of any lease; never reused. */
    long fencingToken();

    /** When the lease lapses unless renewed (database time, as last seen by this holder). */
    Instant expiresAt();

    /** False once this holder knows it lost the lease (a renewal failed) or released it. */
    boolean isHeld();

    /** Extends the lease by its TTL from now; {@code false} if it was already lost. */
    boolean renew();

    /** Releases the lease, honouring lock-at-least. Idempotent. */
    void release();

    /**
     * Within the caller's transaction on {@code connection}: checks that this holder still holds the lease and
     * locks the lease row against takeover until the transaction ends, so the writes that follow in it are safe.
     *
     * @throws StaleLeaseException if the lease expired or was taken over
     */
    void guard(Connection connection) throws SQLException;

    /** Same as {@link #release()}. */
    @Override
    void close();
}
