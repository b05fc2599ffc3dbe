package io.switchboard.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The built server jar running as a subprocess on a bench database, started with a bootstrap platform-admin key
 * (printed once to its stdout, read back from its log) so a bench can authenticate against {@code /api}.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern BOOTSTRAP_KEY = Pattern.compile("sb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");

    private final Process process;
    private final int port;
    private final Path log;
    private final String adminKey;

    private ServerProcess(Process process, int port, Path log, String adminKey) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.adminKey = adminKey;
    }

    /**
     * Starts the server on {@code jdbcUrl} (user postgres) and waits until {@code /actuator/health} answers 200.
     *
     * @param extraArgs further {@code --name=value} Spring arguments
     */
    static ServerProcess start(Path jar, String jdbcUrl, Path log, List<String> extraArgs) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--server.port=" + port, "--logging.level.root=WARN"));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SWITCHBOARD_DATABASE_URL", jdbcUrl);
        env.put("SWITCHBOARD_DATABASE_USER", "postgres");
        env.put("SWITCHBOARD_BOOTSTRAP_ADMIN_KEY", "true");
        // With an external database the key that encrypts webhook source secrets must be given.
        byte[] secretKey = new byte[32];
        new SecureRandom().nextBytes(secretKey);
        env.put("SWITCHBOARD_WEBHOOK_SECRET_KEY", Base64.getEncoder().encodeToString(secretKey));
        Process process = builder.start();
        try {
            awaitUp(process, port, log);
            Matcher key = BOOTSTRAP_KEY.matcher(Files.readString(log));
            if (!key.find()) {
                throw new IllegalStateException("the server printed no bootstrap admin key (a used database?); its log: " + log);
            }
            return new ServerProcess(process, port, log, key.group());
        } catch (Exception e) {
            process.destroy();
            throw e;
        }
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** {@code Bearer <platform-admin key>}. */
    String adminAuthorization() {
        return "Bearer " + adminKey;
    }

    Path log() {
        return log;
    }

    /** CPU time the server process has used so far. */
    Duration cpu() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    private static void awaitUp(Process server, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited with " + server.exitValue() + "; its log: " + log);
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the server did not come up within 180 s; its log: " + log);
    }

    /** The given jar, or the one {@code mvn package} built in {@code switchboard-server/target}. */
    static Path serverJar(String given) throws IOException {
        if (given != null) {
            return Paths.get(given);
        }
        Path target = Paths.get("switchboard-server", "target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("switchboard-server-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException(
                            "no server jar in " + target.toAbsolutePath() + ": run mvn -DskipTests package first"));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
