package io.switchboard.server.tenancy;

import io.switchboard.db.Columns;
import io.switchboard.server.tenancy.TenancyModels.Organization;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Organizations: created and listed by the platform admin, read by their own members through RLS. */
class Organizations {
    private static final String INSERT = """
            INSERT INTO app.organizations (name) VALUES (?) RETURNING id, name, created_at""";
    private static final String LIST = """
            SELECT id, name, created_at FROM app.organizations ORDER BY created_at, id LIMIT ?""";
    // Under the tenant role RLS lets only the own organization through: another id finds nothing.
    private static final String FIND = """
            SELECT id, name, created_at FROM app.organizations WHERE id = ?""";

    private final TenantDatabase database;

    Organizations(TenantDatabase database) {
        this.database = database;
    }

    Organization create(String name) {
        return database.asPlatform(c -> {
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return read(rs);
                }
            }
        });
    }

    List<Organization> list(int limit) {
        return database.asPlatform(c -> {
            try (PreparedStatement s = c.prepareStatement(LIST)) {
                s.setInt(1, limit);
                try (ResultSet rs = s.executeQuery()) {
                    List<Organization> all = new ArrayList<>();
                    while (rs.next()) {
                        all.add(read(rs));
                    }
                    return all;
                }
            }
        });
    }

    /** The organization as its own tenant sees it. */
    Optional<Organization> find(UUID orgId) {
        return database.inTenant(orgId, c -> find(c, orgId));
    }

    static Optional<Organization> find(java.sql.Connection c, UUID orgId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(FIND)) {
            s.setObject(1, orgId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Organization read(ResultSet rs) throws SQLException {
        return new Organization(rs.getObject(1, UUID.class), rs.getString(2), Columns.instant(rs, 3));
    }
}
