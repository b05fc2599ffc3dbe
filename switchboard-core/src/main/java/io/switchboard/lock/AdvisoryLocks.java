package io.switchboard.lock;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Transaction-scoped PostgreSQL advisory locks by name. A lock is held until the caller's transaction commits
 * or rolls back, never beyond, so it is safe behind PgBouncer in transaction mode (no session locks, no
 * session {@code SET}). Names map to keys without collisions: each (namespace, name) pair gets its own id from
 * a table, and the lock is taken on the two-key form {@code (}{@value #KEY_SPACE}{@code , id)}.
 */
public final class AdvisoryLocks {
    /** First key of every Switchboard advisory lock (two-int form); other users of that value could collide. */
    public static final int KEY_SPACE = 0x5357; // "SW"

    private static final String KEY_FOR = """
            WITH ins AS (
                INSERT INTO switchboard.advisory_lock_keys (namespace, name) VALUES (?, ?)
                ON CONFLICT (namespace, name) DO NOTHING
                RETURNING id
            )
            SELECT id FROM ins
            UNION ALL
            SELECT id FROM switchboard.advisory_lock_keys WHERE namespace = ? AND name = ?
            LIMIT 1
            """;

    private final DataSource dataSource;
    private final Map<String, Integer> keys = new ConcurrentHashMap<>();

    /** Advisory locks whose name-to-key table lives behind {@code dataSource}. */
    public AdvisoryLocks(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Waits for and takes the lock {@code (namespace, name)} until the transaction on {@code connection} ends. */
    public void lock(Connection connection, String namespace, String name) throws SQLException {
        int key = keyFor(connection, namespace, name);
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
            ps.setInt(1, KEY_SPACE);
            ps.setInt(2, key);
            ps.execute();
        }
    }

    /** Takes the lock if it is free; {@code false} at once if another transaction holds it. */
    public boolean tryLock(Connection connection, String namespace, String name) throws SQLException {
        int key = keyFor(connection, namespace, name);
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
            ps.setInt(1, KEY_SPACE);
            ps.setInt(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private int keyFor(Connection connection, String namespace, String name) throws SQLException {
        validate("namespace", namespace, 100);
        validate("name", name, 200);
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("a transaction-scoped advisory lock needs a transaction: "
                    + "call setAutoCommit(false) first (in auto-commit it would be released at once)");
        }
        String cacheKey = namespace + '\u0000' + name;
        Integer cached = keys.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        // Resolved and committed on a connection of its own: a key created in the caller's transaction could
        // roll back and be re-created with another id while this JVM still cached the first one.
        // A concurrent first use of the same name may commit between the insert and the select of one
        // statement; the next try then sees its row.
        for (int tries = 0; ; tries++) {
            try (Connection own = dataSource.getConnection();
                 PreparedStatement ps = own.prepareStatement(KEY_FOR)) {
                if (!own.getAutoCommit()) {
                    own.setAutoCommit(true);
                }
                ps.setString(1, namespace);
                ps.setString(2, name);
                ps.setString(3, namespace);
                ps.setString(4, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        int key = rs.getInt(1);
                        keys.put(cacheKey, key);
                        return key;
                    }
                }
            }
            if (tries >= 3) {
                throw new SQLException("could not resolve the advisory lock key of " + namespace + "/" + name);
            }
        }
    }

    private static void validate(String what, String value, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw new IllegalArgumentException("advisory lock " + what + " must be 1 to " + max + " characters and not blank");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("advisory lock " + what + " must not contain NUL");
        }
    }
}
