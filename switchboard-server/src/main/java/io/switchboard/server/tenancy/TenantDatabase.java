package io.switchboard.server.tenancy;

import io.switchboard.db.DatabaseException;
import io.switchboard.db.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;

/**
 * The one way to touch tenant data: {@link #inTenant} opens a transaction that runs as the NOLOGIN role
 * {@value #TENANT_ROLE} (no BYPASSRLS) with {@code switchboard.org_id} set, both with {@code set_config(..., true)}
 * so they end with the transaction and a pooled connection never carries a tenant to its next borrower.
 * {@link #asPlatform} is for the few platform paths (organizations, key lookup at authentication, bootstrap).
 */
public class TenantDatabase {
    /** The role tenant transactions run as; created by the server's migration when missing. */
    public static final String TENANT_ROLE = "switchboard_tenant";

    // One round trip: both settings are transaction-local.
    private static final String ENTER_TENANT = """
            SELECT set_config('role', 'switchboard_tenant', true), set_config('switchboard.org_id', ?, true)""";
    // Back to the login user (for engine statements after tenant work in the same transaction).
    private static final String LEAVE_TENANT = """
            SELECT set_config('role', 'none', true), set_config('switchboard.org_id', '', true)""";

    private final DataSource dataSource;

    public TenantDatabase(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code work} in one transaction that sees and writes only {@code orgId}'s rows. */
    public <R> R inTenant(UUID orgId, Transactions.Work<R, SQLException> work) {
        Objects.requireNonNull(orgId, "orgId");
        return run(connection -> {
            enterTenant(connection, orgId);
            return work.run(connection);
        });
    }

    /**
     * Makes the rest of the caller's open transaction on {@code connection} run as {@code orgId}'s tenant, as
     * {@link #inTenant} does; for transactions this class does not open (a job's completion transaction).
     */
    public static void enterTenant(Connection connection, UUID orgId) throws SQLException {
        Objects.requireNonNull(orgId, "orgId");
        try (PreparedStatement enter = connection.prepareStatement(ENTER_TENANT)) {
            enter.setString(1, orgId.toString());
            enter.executeQuery().close();
        }
    }

    /** Returns the caller's open transaction to the login user after {@link #enterTenant}. */
    public static void leaveTenant(Connection connection) throws SQLException {
        try (PreparedStatement leave = connection.prepareStatement(LEAVE_TENANT)) {
            leave.executeQuery().close();
        }
    }

    /** Runs {@code work} in one transaction as the login user, across all tenants. Keep such paths few. */
    public <R> R asPlatform(Transactions.Work<R, SQLException> work) {
        return run(work);
    }

    /**
     * Runs {@code work}, a single statement, as the login user in auto-commit: no BEGIN and COMMIT round trips
     * around it (the key lookup of every authenticated request).
     */
    public <R> R asPlatformStatement(Transactions.Work<R, SQLException> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private <R> R run(Transactions.Work<R, SQLException> work) {
        try (Connection connection = dataSource.getConnection()) {
            return Transactions.inTransaction(connection, work);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private static RuntimeException translate(SQLException e) {
        if (TenancyErrors.isUniqueViolation(e) || TenancyErrors.isForeignKeyViolation(e)
                || TenancyErrors.isPolicyViolation(e) || TenancyErrors.isCheckViolation(e)) {
            return new TenancyErrors.ConstraintException(e);
        }
        return new DatabaseException("tenancy database operation failed", e);
    }
}
