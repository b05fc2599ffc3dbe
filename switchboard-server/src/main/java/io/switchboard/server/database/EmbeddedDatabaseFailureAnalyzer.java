package io.switchboard.server.database;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a failed embedded-database start into a startup report that says how to fix it. */
class EmbeddedDatabaseFailureAnalyzer extends AbstractFailureAnalyzer<EmbeddedDatabaseStartException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedDatabaseStartException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Choose another data directory with SWITCHBOARD_DATA_DIR (or switchboard.embedded.data-dir); when the "
                        + "server runs as root, PostgreSQL runs as 'nobody', so every parent of the data directory must be "
                        + "enterable by others (o+x). Or point Switchboard at a PostgreSQL server of your own with "
                        + "SWITCHBOARD_DATABASE_URL (plus SWITCHBOARD_DATABASE_USER and SWITCHBOARD_DATABASE_PASSWORD).",
                cause);
    }
}
