package io.switchboard.server.database;

import java.nio.file.Path;

/** The embedded PostgreSQL could not be started; {@link EmbeddedDatabaseFailureAnalyzer} explains what to do. */
public class EmbeddedDatabaseStartException extends RuntimeException {
    private final Path dataDir;

    EmbeddedDatabaseStartException(Path dataDir, Throwable cause) {
        super("Could not start the embedded PostgreSQL with data in " + dataDir + ": " + rootMessage(cause), cause);
        this.dataDir = dataDir;
    }

    /** The data directory the server was to use. */
    public Path dataDir() {
        return dataDir;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
