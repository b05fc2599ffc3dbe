package io.switchboard.db;

import java.sql.Connection;

/**
 * Lets the engine run work after a caller's transaction commits, when the application's transaction manager can
 * tell. The engine uses it to wake workers after an enqueue that joined a caller's transaction: without it the
 * enqueue sends a NOTIFY inside that transaction, which PostgreSQL delivers at commit but which also makes
 * concurrent committers queue up on its notification lock.
 */
@FunctionalInterface
public interface AfterCommit {
    /** No transaction manager known: the engine notifies inside the transaction. */
    AfterCommit NONE = new AfterCommit() {
        @Override
        public boolean register(Connection connection, Runnable action) {
            return false;
        }

        @Override
        public boolean manages(Connection connection) {
            return false;
        }
    };

    /**
     * Registers {@code action} to run once the transaction {@code connection} is in commits (never on rollback).
     *
     * @return false if this hook does not manage that transaction (the action is then not registered)
     */
    boolean register(Connection connection, Runnable action);

    /**
     * Whether {@link #register} could take an action for the transaction {@code connection} is in. When it cannot,
     * the engine sends its NOTIFY from the statement that inserts the job (one round trip instead of two). By
     * default true: the engine then inserts first and asks {@link #register}.
     */
    default boolean manages(Connection connection) {
        return true;
    }
}
