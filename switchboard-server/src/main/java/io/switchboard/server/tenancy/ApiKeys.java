package io.switchboard.server.tenancy;

import io.switchboard.db.Columns;
import io.switchboard.server.tenancy.TenancyModels.ApiKey;
import io.switchboard.server.tenancy.TenancyModels.CreatedApiKey;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys. Organization keys are created, listed and revoked as the tenant role; the lookup at authentication
 * and the platform-admin keys are the platform paths (the organization is not known before the key is).
 */
class ApiKeys {
    private static final String COLUMNS = "id, org_id, prefix, name, scopes, created_at, last_used_at, revoked_at";
    private static final String INSERT = """
            INSERT INTO app.api_keys (org_id, prefix, key_hash, name, scopes) VALUES (?, ?, ?, ?, ?)
            RETURNING id, created_at""";
    private static final String LIST = """
            SELECT %s FROM app.api_keys ORDER BY created_at, id LIMIT ?""".formatted(COLUMNS);
    private static final String REVOKE = """
            UPDATE app.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ? RETURNING %s""".formatted(COLUMNS);
    private static final String FOR_AUTHENTICATION = """
            SELECT id, org_id, key_hash, scopes, revoked_at, last_used_at FROM app.api_keys WHERE prefix = ?""";
    // At most one write a minute per key: last_used_at is for people, not for accounting.
    private static final String TOUCH = """
            UPDATE app.api_keys SET last_used_at = now()
            WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')""";

    /** What authentication needs of a stored key. */
    record StoredKey(UUID id, UUID orgId, byte[] keyHash, List<String> scopes, Instant revokedAt, Instant lastUsedAt) {
    }

    private final TenantDatabase database;

    ApiKeys(TenantDatabase database) {
        this.database = database;
    }

    /** A new key of {@code orgId}, created as that tenant; 404 when the organization does not exist (for it). */
    CreatedApiKey create(UUID orgId, String name, List<String> scopes) {
        return database.inTenant(orgId, c -> {
            if (Organizations.find(c, orgId).isEmpty()) {
                throw new TenancyErrors.NotFoundException("no organization " + orgId);
            }
            return insert(c, orgId, name, scopes);
        });
    }

    /** A new platform-admin key (no organization). */
    CreatedApiKey createPlatformKey(String name) {
        return database.asPlatform(c -> insert(c, null, name, List.of(Scopes.PLATFORM_ADMIN)));
    }

    List<ApiKey> list(UUID orgId, int limit) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement s = c.prepareStatement(LIST)) {
                s.setInt(1, limit);
                try (ResultSet rs = s.executeQuery()) {
                    List<ApiKey> all = new ArrayList<>();
                    while (rs.next()) {
                        all.add(read(rs));
                    }
                    return all;
                }
            }
        });
    }

    /** Revokes the key; idempotent. Empty when the key is not the tenant's. */
    Optional<ApiKey> revoke(UUID orgId, UUID keyId) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement s = c.prepareStatement(REVOKE)) {
                s.setObject(1, keyId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Platform path: the key with this prefix, whatever its organization. */
    Optional<StoredKey> findForAuthentication(String prefix) {
        return database.asPlatformStatement(c -> {
            try (PreparedStatement s = c.prepareStatement(FOR_AUTHENTICATION)) {
                s.setString(1, prefix);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new StoredKey(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getBytes(3),
                            Arrays.asList((String[]) rs.getArray(4).getArray()), Columns.instant(rs, 5), Columns.instant(rs, 6)));
                }
            }
        });
    }

    void touch(UUID keyId) {
        database.asPlatformStatement(c -> {
            try (PreparedStatement s = c.prepareStatement(TOUCH)) {
                s.setObject(1, keyId);
                return s.executeUpdate();
            }
        });
    }

    static CreatedApiKey insert(Connection c, UUID orgId, String name, List<String> scopes) throws SQLException {
        ApiKeySecret secret = ApiKeySecret.generate();
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            s.setObject(1, orgId);
            s.setString(2, secret.prefix());
            s.setBytes(3, secret.hash());
            s.setString(4, name);
            Array array = c.createArrayOf("text", scopes.toArray());
            s.setArray(5, array);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new CreatedApiKey(rs.getObject(1, UUID.class), orgId, secret.prefix(), name, scopes,
                        Columns.instant(rs, 2), secret.key());
            }
        }
    }

    private static ApiKey read(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                Arrays.asList((String[]) rs.getArray(5).getArray()), Columns.instant(rs, 6), Columns.instant(rs, 7),
                Columns.instant(rs, 8));
    }
}
