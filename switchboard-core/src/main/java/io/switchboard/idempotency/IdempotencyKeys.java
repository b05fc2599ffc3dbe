package io.switchboard.idempotency;

import static io.switchboard.db.Columns.instant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.db.DatabaseException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The idempotency-key store: lets a retried request get the first request's response instead of running twice.
 *
 * <pre>{@code
 * switch (keys.begin(clientId, idempotencyKey, fingerprintOf(request))) {
 *     case Claim.Proceed p -> {
 *         Response r = run(request);
 *         if (r.status() < 500) keys.complete(p.token(), stored(r)); else keys.release(p.token());
 *     }
 *     case Claim.Replay r -> send(r.response());
 *     case Claim.InFlight f -> send409(f.leaseRemaining());
 *     case Claim.FingerprintMismatch m -> send422();
 * }
 * }</pre>
 *
 * <p>Semantics:
 * <ul>
 *   <li>A key is unique per scope (for example the client), so two clients' keys never collide.</li>
 *   <li>A key lives {@link IdempotencyOptions#keyTtl()} (24 h by default) from its first request; then it is treated
 *       as absent and reaped by the maintenance schedule {@code switchboard.reap-idempotency-keys}.</li>
 *   <li>A key's first request holds it in flight for {@link IdempotencyOptions#inFlightLease()}; if it neither
 *       completes nor releases within it (its process died), a retry with the same fingerprint takes it over.</li>
 *   <li>Only 2xx-4xx responses are stored ({@link StoredResponse}); on a 5xx or an exception the caller releases
 *       the key so the retry runs again.</li>
 * </ul>
 * Claiming a new key is one statement; a retry reads the existing row with a second. Database time only.
 *
 * <p>Called inside a transaction the caller holds open on this store's data source (a connection that is not in
 * auto-commit), {@link #begin} and {@link #complete} join it: the claim only reads, {@link #complete} writes the key
 * with its response, so the key, the request's own writes and the stored response commit together or not at all,
 * and a request that dies leaves no key behind. While that transaction is open, a transaction-scoped advisory lock
 * on the key (first key {@code 0x5349}) answers concurrent requests with the same key {@link Claim.InFlight}. Use
 * one transaction for both calls.
 * Obtain it from {@code Switchboard.idempotencyKeys()}. Thread-safe.
 */
public final class IdempotencyKeys {
    /** Longest key accepted. */
    public static final int MAX_KEY_LENGTH = 255;
    /** Longest scope accepted. */
    public static final int MAX_SCOPE_LENGTH = 200;
    /** Longest fingerprint accepted. */
    public static final int MAX_FINGERPRINT_LENGTH = 512;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };
    /** A key vanishing between the claim and the read (released, reaped) is retried; more than this is a fault. */
    private static final int MAX_CLAIM_ROUNDS = 5;
    /** Retry hint for a key whose first request is running in another open transaction. */
    private static final Duration IN_FLIGHT_RETRY = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final IdempotencyOptions options;
    private final Counter proceeded;
    private final Counter replayed;
    private final Counter inFlight;
    private final Counter mismatched;
    private final Counter reaped;

    /** A store on {@code dataSource} (schema migrated), counting outcomes in {@code meters}. */
    public IdempotencyKeys(DataSource dataSource, IdempotencyOptions options, MeterRegistry meters) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(meters, "meters");
        this.proceeded = outcome(meters, "proceed");
        this.replayed = outcome(meters, "replay");
        this.inFlight = outcome(meters, "in_flight");
        this.mismatched = outcome(meters, "mismatch");
        this.reaped = Counter.builder("switchboard.idempotency.reaped").register(meters);
    }

    /** The options of this store. */
    public IdempotencyOptions options() {
        return options;
    }

    /**
     * Claims {@code key} in {@code scope} for a request identified by {@code fingerprint} (for example a hash of
     * method, path and body), or reports what already stands under the key.
     *
     * @param scope       whose keys these are (for example the client's id); 1 to {@value #MAX_SCOPE_LENGTH}
     *                    characters, not blank
     * @param key         the idempotency key: 1 to {@value #MAX_KEY_LENGTH} printable ASCII characters, not blank
     * @param fingerprint what the request was; 1 to {@value #MAX_FINGERPRINT_LENGTH} characters, not blank
     * @throws IllegalArgumentException on bad input (nothing is written)
     * @throws DatabaseException        if the database cannot be reached
     */
    public Claim begin(String scope, String key, String fingerprint) {
        requireClaim(scope, key, fingerprint);
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getAutoCommit()) {
                Claim claim = claimInTransaction(connection, scope, key, fingerprint);
                count(claim);
                return claim;
            }
            for (int round = 0; round < MAX_CLAIM_ROUNDS; round++) {
                Claim claim = tryClaim(connection, scope, key, fingerprint);
                if (claim == null) {
                    claim = readLive(connection, scope, key, fingerprint);
                }
                if (claim != null) {
                    count(claim);
                    return claim;
                }
            }
            throw new IllegalStateException("idempotency key '" + key + "' kept vanishing while it was claimed");
        } catch (SQLException e) {
            throw new DatabaseException("could not claim idempotency key", e);
        }
    }

    /**
     * Stores {@code response} as the key's answer for its retries. Fenced: only the current holder stores. Inside a
     * caller's transaction (as {@link #begin} there) this writes the key's row, which commits with that transaction.
     *
     * @return true if stored; false if {@code token} no longer holds the key (released, taken over after its lease
     *         lapsed, expired or already completed; inside a transaction: another request's row stands)
     */
    public boolean complete(IdempotencyToken token, StoredResponse response) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(response, "response");
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getAutoCommit()) {
                return storeInTransaction(connection, token, response);
            }
            try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.COMPLETE)) {
                bindResponse(ps, 1, response);
                ps.setString(5, token.scope());
                ps.setString(6, token.key());
                ps.setLong(7, token.fencingToken());
                return ps.executeUpdate() == 1;
            }
        } catch (SQLException e) {
            throw new DatabaseException("could not store the response of idempotency key", e);
        }
    }

    private boolean storeInTransaction(Connection connection, IdempotencyToken token, StoredResponse response)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.STORE_IN_TRANSACTION)) {
            ps.setString(1, token.scope());
            ps.setString(2, token.key());
            ps.setString(3, token.fingerprint());
            ps.setLong(4, token.fencingToken());
            ps.setLong(5, options.keyTtl().toMillis());
            bindResponse(ps, 6, response);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Stores {@code response} under {@code key} in {@code scope} with no {@link #begin} before it, for requests whose
     * every effect is a write in the caller's open transaction on this store's data source: the request runs first,
     * then this takes the key as {@link #begin} inside a transaction would and writes it with its response in one
     * statement. A retry of a completed request, or a concurrent duplicate, thus runs too, and is told here what
     * stands under the key: the caller must then roll its transaction back (undoing the run) and answer with that.
     * One statement fewer than {@code begin} and {@code complete} for a first request; use it only where running a
     * request whose transaction is rolled back leaves no trace (no e-mail sent, no outside API called).
     *
     * @param scope       as for {@link #begin}
     * @param key         as for {@link #begin}
     * @param fingerprint as for {@link #begin}
     * @param response    the request's response, to be replayed to its retries
     * @return {@link Claim.Proceed} if stored (commit the transaction); otherwise {@link Claim.Replay},
     *         {@link Claim.FingerprintMismatch} or {@link Claim.InFlight} for what stands under the key (roll back)
     * @throws IllegalArgumentException on bad input (nothing is written)
     * @throws IllegalStateException    if the data source's connection is in auto-commit (no caller's transaction)
     * @throws DatabaseException        if the database cannot be reached
     */
    public Claim storeIfAbsent(String scope, String key, String fingerprint, StoredResponse response) {
        requireClaim(scope, key, fingerprint);
        Objects.requireNonNull(response, "response");
        try (Connection connection = dataSource.getConnection()) {
            requireTransaction(connection, "storeIfAbsent");
            Claim claim;
            try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.STORE_IF_ABSENT)) {
                bindStore(ps, scope, key, fingerprint, response);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    boolean held = rs.getBoolean(1);
                    long token = rs.getLong(2);
                    if (!held) {
                        claim = new Claim.InFlight(IN_FLIGHT_RETRY);
                    } else if (!rs.wasNull()) {
                        claim = new Claim.Proceed(new IdempotencyToken(scope, key, token, fingerprint));
                    } else {
                        claim = null;
                    }
                }
            }
            if (claim == null) {
                // A live row stands; read it (it vanishing meanwhile, released or reaped, is answered as in flight).
                claim = readLive(connection, scope, key, fingerprint);
                if (claim == null) {
                    claim = new Claim.InFlight(IN_FLIGHT_RETRY);
                }
            }
            count(claim);
            return claim;
        } catch (SQLException e) {
            throw new DatabaseException("could not store the response of idempotency key", e);
        }
    }

    /**
     * {@link #storeIfAbsent} and the commit of the caller's transaction in one round trip: if the key is stored, the
     * transaction (the request's writes and the key) is committed when this returns, and a later {@code commit()} of
     * the connection finds nothing left to do. If it is not stored, nothing is committed, the transaction is left
     * failed for the caller to roll back, and {@link #lookup} tells what stands under the key (nothing: another
     * request with the key is still in flight).
     *
     * @return true if stored and committed; false if the key is taken (roll back, then {@link #lookup})
     * @throws IllegalArgumentException on bad input (nothing is written)
     * @throws IllegalStateException    if the data source's connection is in auto-commit (no caller's transaction)
     * @throws DatabaseException        if the database cannot be reached or the commit fails (nothing is committed)
     */
    public boolean storeAndCommit(String scope, String key, String fingerprint, StoredResponse response) {
        requireClaim(scope, key, fingerprint);
        Objects.requireNonNull(response, "response");
        try (Connection connection = dataSource.getConnection()) {
            requireTransaction(connection, "storeAndCommit");
            try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.STORE_AND_COMMIT)) {
                bindStore(ps, scope, key, fingerprint, response);
                ps.execute();
                proceeded.increment();
                return true;
            } catch (SQLException e) {
                if (IdempotencySql.NOT_STORED.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("could not store the response of idempotency key and commit", e);
        }
    }

    /**
     * What stands under {@code key} in {@code scope} for a request identified by {@code fingerprint}, without claiming
     * it: for a caller of {@link #storeAndCommit} that found the key taken, or of it or {@link #storeIfAbsent} whose
     * run failed (a 5xx), so that a retry of a request that had completed is still answered with its stored response.
     *
     * @return {@link Claim.Replay}, {@link Claim.FingerprintMismatch} or {@link Claim.InFlight}; empty if no live row
     *         stands (or only an in-flight one whose lease lapsed)
     * @throws IllegalArgumentException on bad input
     * @throws DatabaseException        if the database cannot be reached
     */
    public Optional<Claim> lookup(String scope, String key, String fingerprint) {
        requireClaim(scope, key, fingerprint);
        try (Connection connection = dataSource.getConnection()) {
            Claim claim = readLive(connection, scope, key, fingerprint);
            if (claim == null || claim instanceof Claim.InFlight f && f.leaseRemaining().isZero()) {
                return Optional.empty();
            }
            count(claim);
            return Optional.of(claim);
        } catch (SQLException e) {
            throw new DatabaseException("could not look up idempotency key", e);
        }
    }

    private static void requireTransaction(Connection connection, String method) throws SQLException {
        if (connection.getAutoCommit()) {
            throw new IllegalStateException(method + " needs the caller's transaction: the request's writes and its "
                    + "key must commit together");
        }
    }

    /** The parameters of {@code STORE_IF_ABSENT} and {@code STORE_AND_COMMIT}. */
    private void bindStore(PreparedStatement ps, String scope, String key, String fingerprint, StoredResponse response)
            throws SQLException {
        ps.setString(1, scope);
        ps.setString(2, key);
        ps.setString(3, scope);
        ps.setString(4, key);
        ps.setString(5, fingerprint);
        ps.setLong(6, options.keyTtl().toMillis());
        bindResponse(ps, 7, response);
    }

    /** Binds status, content type, headers and body from parameter {@code first} on. */
    private static void bindResponse(PreparedStatement ps, int first, StoredResponse response) throws SQLException {
        ps.setInt(first, response.status());
        ps.setString(first + 1, response.contentType());
        ps.setString(first + 2, JSON.writeValueAsString(response.headers()));
        ps.setBytes(first + 3, response.body());
    }

    /**
     * Forgets the in-flight key so that a retry runs the request again (after a 5xx or an exception). Fenced like
     * {@link #complete}. A claim made inside a caller's transaction wrote no row: rolling that transaction back
     * releases it.
     *
     * @return true if released; false if {@code token} no longer holds the key
     */
    public boolean release(IdempotencyToken token) {
        Objects.requireNonNull(token, "token");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(IdempotencySql.RELEASE)) {
            ps.setString(1, token.scope());
            ps.setString(2, token.key());
            ps.setLong(3, token.fencingToken());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new DatabaseException("could not release idempotency key", e);
        }
    }

    /**
     * Deletes expired keys in batches of {@link IdempotencyOptions#reapBatchSize()}, each batch its own short
     * transaction; returns how many. Run by the maintenance schedule {@code switchboard.reap-idempotency-keys}.
     */
    public int reapExpired() {
        int total = 0;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(IdempotencySql.REAP)) {
            int deleted;
            do {
                ps.setInt(1, options.reapBatchSize());
                deleted = ps.executeUpdate();
                total += deleted;
                reaped.increment(deleted);
            } while (deleted == options.reapBatchSize());
            return total;
        } catch (SQLException e) {
            throw new DatabaseException("could not reap expired idempotency keys (" + total + " reaped)", e);
        }
    }

    /**
     * Checks an idempotency key as {@link #begin} would, for callers that reject bad keys before doing any work.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("idempotency key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("idempotency key must be at most " + MAX_KEY_LENGTH + " characters, was "
                    + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("idempotency key must be printable ASCII; character " + (i + 1)
                        + " is " + String.format("U+%04X", (int) c));
            }
        }
        if (key.isBlank()) {
            throw new IllegalArgumentException("idempotency key must not be blank");
        }
    }

    private static void requireClaim(String scope, String key, String fingerprint) {
        requireScope(scope);
        requireKey(key);
        if (fingerprint == null || fingerprint.isBlank() || fingerprint.length() > MAX_FINGERPRINT_LENGTH) {
            throw new IllegalArgumentException("fingerprint must be 1 to " + MAX_FINGERPRINT_LENGTH + " characters and not blank");
        }
    }

    private static void requireScope(String scope) {
        if (scope == null || scope.isBlank() || scope.length() > MAX_SCOPE_LENGTH) {
            throw new IllegalArgumentException("idempotency scope must be 1 to " + MAX_SCOPE_LENGTH + " characters and not blank");
        }
    }

    /** On its own the claim commits without waiting for its WAL flush (see IdempotencySql). */
    private Claim tryClaim(Connection connection, String scope, String key, String fingerprint) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.BEGIN_WITHOUT_FLUSH_WAIT)) {
            ps.setString(1, scope);
            ps.setString(2, key);
            ps.setString(3, fingerprint);
            ps.setLong(4, options.keyTtl().toMillis());
            ps.setLong(5, options.inFlightLease().toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Claim.Proceed(new IdempotencyToken(scope, key, rs.getLong(1), fingerprint)) : null;
            }
        }
    }

    /**
     * Inside a caller's transaction the claim only reads: the key's row is written with the response
     * ({@link #complete}) and commits with the caller's transaction; the key's advisory lock tells a concurrent
     * request that this one is in flight meanwhile.
     */
    private Claim claimInTransaction(Connection connection, String scope, String key, String fingerprint)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.BEGIN_IN_TRANSACTION)) {
            ps.setString(1, scope);
            ps.setString(2, key);
            ps.setString(3, scope);
            ps.setString(4, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    // Its request runs in a transaction that has not ended; how long it takes is not known here.
                    return new Claim.InFlight(IN_FLIGHT_RETRY);
                }
                String stored = rs.getString(2);
                if (stored != null) {
                    Claim live = live(rs, 2, fingerprint);
                    boolean lapsed = live instanceof Claim.InFlight f && f.leaseRemaining().isZero();
                    if (!lapsed) {
                        return live;
                    }
                    // An in-flight row of this request whose holder died: taken over when the response is stored.
                }
                return new Claim.Proceed(new IdempotencyToken(scope, key, rs.getLong(9), fingerprint));
            }
        }
    }

    /** What stands under the key; null if it vanished since the claim was refused. */
    private static Claim readLive(Connection connection, String scope, String key, String fingerprint) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(IdempotencySql.FIND_LIVE)) {
            ps.setString(1, scope);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? live(rs, 1, fingerprint) : null;
            }
        }
    }

    /**
     * The claim a live row answers (its columns from {@code first}: fingerprint, status, content type, headers, body,
     * created at, lease left in milliseconds).
     */
    private static Claim live(ResultSet rs, int first, String fingerprint) throws SQLException {
        if (!rs.getString(first).equals(fingerprint)) {
            return new Claim.FingerprintMismatch();
        }
        int status = rs.getInt(first + 1);
        if (rs.wasNull()) {
            return new Claim.InFlight(Duration.ofMillis(rs.getLong(first + 6)));
        }
        String headers = rs.getString(first + 3);
        byte[] body = rs.getBytes(first + 4);
        StoredResponse response = new StoredResponse(status, rs.getString(first + 2),
                headers == null ? Map.of() : JSON.readValue(headers, HEADERS), body == null ? new byte[0] : body);
        return new Claim.Replay(response, instant(rs, first + 5));
    }

    private void count(Claim claim) {
        switch (claim) {
            case Claim.Proceed p -> proceeded.increment();
            case Claim.Replay r -> replayed.increment();
            case Claim.InFlight f -> inFlight.increment();
            case Claim.FingerprintMismatch m -> mismatched.increment();
        }
    }

    private static Counter outcome(MeterRegistry meters, String outcome) {
        return Counter.builder("switchboard.idempotency.requests").tag("outcome", outcome)
                .description("idempotency-key claims by outcome").register(meters);
    }
}
