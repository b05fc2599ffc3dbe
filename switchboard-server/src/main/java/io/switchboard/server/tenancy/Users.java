package io.switchboard.server.tenancy;

import io.switchboard.db.Columns;
import io.switchboard.server.tenancy.TenancyModels.CreateUser;
import io.switchboard.server.tenancy.TenancyModels.UpdateUser;
import io.switchboard.server.tenancy.TenancyModels.User;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Users of one organization; every statement runs as the tenant role, so RLS confines it to that organization. */
class Users {
    private static final String COLUMNS = "id, org_id, email, name, role, created_at";
    private static final String INSERT = """
            INSERT INTO app.users (org_id, email, name, role) VALUES (?, ?, ?, ?) RETURNING %s""".formatted(COLUMNS);
    private static final String LIST = """
            SELECT %s FROM app.users ORDER BY created_at, id LIMIT ?""".formatted(COLUMNS);
    private static final String FIND = """
            SELECT %s FROM app.users WHERE id = ?""".formatted(COLUMNS);
    private static final String UPDATE = """
            UPDATE app.users SET name = coalesce(?, name), role = coalesce(?, role) WHERE id = ? RETURNING %s""".formatted(COLUMNS);
    private static final String DELETE = """
            DELETE FROM app.users WHERE id = ?""";

    private final TenantDatabase database;

    Users(TenantDatabase database) {
        this.database = database;
    }

    User create(UUID orgId, CreateUser request) {
        return database.inTenant(orgId, c -> {
            // Through RLS: finds the organization only if it exists and is the tenant's own.
            if (Organizations.find(c, orgId).isEmpty()) {
                throw new TenancyErrors.NotFoundException("no organization " + orgId);
            }
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                s.setObject(1, orgId);
                s.setString(2, request.email());
                s.setString(3, request.name());
                s.setString(4, request.role());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return read(rs);
                }
            }
        });
    }

    List<User> list(UUID orgId, int limit) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement s = c.prepareStatement(LIST)) {
                s.setInt(1, limit);
                try (ResultSet rs = s.executeQuery()) {
                    List<User> all = new ArrayList<>();
                    while (rs.next()) {
                        all.add(read(rs));
                    }
                    return all;
                }
            }
        });
    }

    Optional<User> find(UUID orgId, UUID userId) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement s = c.prepareStatement(FIND)) {
                s.setObject(1, userId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    Optional<User> update(UUID orgId, UUID userId, UpdateUser request) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement s = c.prepareStatement(UPDATE)) {
                s.setString(1, request.name());
                s.setString(2, request.role());
                s.setObject(3, userId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    boolean delete(UUID orgId, UUID userId) {
        return database.inTenant(orgId, c -> {
            try (PreparedStatement s = c.prepareStatement(DELETE)) {
                s.setObject(1, userId);
                return s.executeUpdate() == 1;
            }
        });
    }

    private static User read(ResultSet rs) throws SQLException {
        return new User(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getString(5), Columns.instant(rs, 6));
    }
}
