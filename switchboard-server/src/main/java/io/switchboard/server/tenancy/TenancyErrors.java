package io.switchboard.server.tenancy;

import java.sql.SQLException;

/** The database's refusals that tenancy maps to client errors rather than 503. */
final class TenancyErrors {
    private TenancyErrors() {
    }

    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    static boolean isForeignKeyViolation(SQLException e) {
        return "23503".equals(e.getSQLState());
    }

    static boolean isCheckViolation(SQLException e) {
        return "23514".equals(e.getSQLState());
    }

    /** new row violates row-level security policy (42501, insufficient_privilege). */
    static boolean isPolicyViolation(SQLException e) {
        return "42501".equals(e.getSQLState());
    }

    /** A constraint or policy refused the statement; nothing was written. */
    static final class ConstraintException extends RuntimeException {
        private final String sqlState;

        ConstraintException(SQLException cause) {
            super(cause.getMessage(), cause);
            this.sqlState = cause.getSQLState();
        }

        boolean uniqueViolation() {
            return "23505".equals(sqlState);
        }
    }

    /** The thing does not exist for this caller (or belongs to another organization: not revealed). */
    static final class NotFoundException extends RuntimeException {
        NotFoundException(String detail) {
            super(detail);
        }
    }
}
