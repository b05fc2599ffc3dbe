package io.switchboard.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one transaction on a connection, restoring the connection's auto-commit mode afterwards. */
public final class Transactions {
    private Transactions() {
    }

    /** Work on a connection; the caller of {@link #inTransaction} commits or rolls back. */
    @FunctionalInterface
    public interface Work<R, E extends Exception> {
        /** Does the work; must not commit, roll back or close the connection. */
        R run(Connection connection) throws E;
    }

    /**
     * Runs {@code work} in a transaction on {@code connection}: commits if it returns, rolls back if it throws.
     * A connection already inside a transaction (auto-commit off: the caller's, e.g. one a framework manages) is
     * joined instead: the work runs in it, and committing or rolling back is left to whoever began it.
     */
    public static <R, E extends Exception> R inTransaction(Connection connection, Work<R, E> work) throws E, SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            return work.run(connection);
        }
        connection.setAutoCommit(false);
        try {
            R result = work.run(connection);
            connection.commit();
            return result;
        } catch (Exception | Error e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
