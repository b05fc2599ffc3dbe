package io.switchboard.server.tenancy;

import io.switchboard.server.database.ServerSchema;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SQL on the tenant role: RLS confines every statement to the organization set for the transaction. */
class TenantRowLevelSecurityTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    static DataSource onePooledConnection;
    static TenantDatabase tenants;
    static UUID orgA;
    static UUID orgB;

    @BeforeAll
    static void twoOrganizationsWithAUserEach() throws SQLException {
        ServerSchema.migrate(db.dataSource());
        onePooledConnection = db.dataSource(1);
        tenants = new TenantDatabase(onePooledConnection);
        orgA = insertOrg("A");
        orgB = insertOrg("B");
        insertUser(orgA, "a@example.com");
        insertUser(orgB, "b@example.com");
    }

    @Test
    void tenantRoleWithNoOrganizationSetSeesNothing() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT set_config('role', 'switchboard_tenant', true)");
            assertThat(count(c, "SELECT count(*) FROM app.users")).isZero();
            assertThat(count(c, "SELECT count(*) FROM app.organizations")).isZero();
            assertThat(count(c, "SELECT count(*) FROM app.api_keys")).isZero();
            c.rollback();
        }
    }

    @Test
    void tenantASeesOnlyItsOwnRows() {
        long[] counts = tenants.inTenant(orgA, c -> new long[]{
                count(c, "SELECT count(*) FROM app.users"),
                count(c, "SELECT count(*) FROM app.users WHERE org_id <> '" + orgA + "'"),
                count(c, "SELECT count(*) FROM app.organizations"),
                count(c, "SELECT count(*) FROM app.users WHERE email = 'b@example.com'")});
        assertThat(counts).containsExactly(1, 0, 1, 0);
    }

    @Test
    void tenantAInsertingARowOfBFailsByPolicyAndWritesNothing() throws SQLException {
        long before = superuserCount("SELECT count(*) FROM app.users");

        assertThatThrownBy(() -> tenants.inTenant(orgA, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO app.users (org_id, email, name, role) VALUES (?, 'x@example.com', 'X', 'member')")) {
                s.setObject(1, orgB);
                return s.executeUpdate();
            }
        })).isInstanceOf(TenancyErrors.ConstraintException.class).hasMessageContaining("row-level security");

        assertThat(superuserCount("SELECT count(*) FROM app.users")).isEqualTo(before);
    }

    @Test
    void tenantACannotMoveItsRowsToBNorTouchBsRows() throws SQLException {
        assertThatThrownBy(() -> tenants.inTenant(orgA, c -> update(c, "UPDATE app.users SET org_id = '" + orgB + "'")))
                .isInstanceOf(TenancyErrors.ConstraintException.class).hasMessageContaining("row-level security");
        int changedOfB = tenants.inTenant(orgA, c -> update(c, "UPDATE app.users SET name = 'hijacked' WHERE org_id = '" + orgB + "'"));
        int deletedOfB = tenants.inTenant(orgA, c -> update(c, "DELETE FROM app.users WHERE org_id = '" + orgB + "'"));

        assertThat(changedOfB).isZero();
        assertThat(deletedOfB).isZero();
        assertThat(superuserCount("SELECT count(*) FROM app.users WHERE org_id = '" + orgB + "' AND name <> 'hijacked'")).isEqualTo(1);
        assertThat(superuserCount("SELECT count(*) FROM app.users WHERE org_id = '" + orgA + "'")).isEqualTo(1);
    }

    @Test
    void pooledConnectionDoesNotKeepTheTenantAfterTheTransaction() throws SQLException {
        tenants.inTenant(orgA, c -> count(c, "SELECT count(*) FROM app.users"));
        assertThatThrownBy(() -> tenants.inTenant(orgA, c -> {
            throw new SQLException("work failed", "XX000");
        }));

        // The pool has one connection: this is the one the tenant transactions used.
        try (Connection c = onePooledConnection.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT current_user <> 'switchboard_tenant', coalesce(current_setting('switchboard.org_id', true), ''),
                            (SELECT count(*) FROM app.users)""")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("back to the login user").isTrue();
            assertThat(rs.getString(2)).as("no organization set").isEmpty();
            assertThat(rs.getLong(3)).as("the login user's platform view").isEqualTo(superuserCount("SELECT count(*) FROM app.users"));
        }
    }

    @Test
    void tenantRoleCannotLogInNorBypassRowLevelSecurity() throws SQLException {
        assertThat(superuserCount("SELECT count(*) FROM pg_roles WHERE rolname = 'switchboard_tenant' AND NOT rolcanlogin AND NOT rolbypassrls AND NOT rolsuper"))
                .isEqualTo(1);
        assertThat(superuserCount("""
                SELECT count(*) FROM pg_class WHERE relnamespace = 'app'::regnamespace
                AND relname IN ('organizations', 'users', 'api_keys') AND relrowsecurity AND relforcerowsecurity"""))
                .isEqualTo(3);
    }

    @Test
    void everyTableWithAnOrganizationColumnHasRowLevelSecurityForcedAndEveryViewRunsAsItsCaller() throws SQLException {
        assertThat(superuserCount("""
                SELECT count(*) FROM pg_class c
                WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'r'
                  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')
                  AND NOT (c.relrowsecurity AND c.relforcerowsecurity)""")).as("tenant tables without forced RLS").isZero();
        // A view runs with its owner's rights unless security_invoker is set, which would skip the policies above.
        assertThat(superuserCount("""
                SELECT count(*) FROM pg_class c
                WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'v'
                  AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)""")).as("owner-rights views").isZero();
        assertThat(superuserCount("SELECT count(*) FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relkind = 'v'"))
                .as("the delivery log's view").isPositive();
    }

    private static UUID insertOrg(String name) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("INSERT INTO app.organizations (name) VALUES (?) RETURNING id")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static void insertUser(UUID org, String email) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO app.users (org_id, email, name, role) VALUES (?, ?, 'U', 'member')")) {
            s.setObject(1, org);
            s.setString(2, email);
            s.executeUpdate();
        }
    }

    private static long superuserCount(String sql) throws SQLException {
        try (Connection c = db.connect()) {
            return count(c, sql);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }
}
