package io.switchboard.server.ops;

import io.switchboard.server.ApiClient;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** SIGTERM to a real server process: it stops accepting, finishes what it was doing, and exits 0. */
class GracefulShutdownTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @TempDir
    Path releaseDir;

    private Process server;
    private volatile String adminKey;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void killLeftovers() {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
        }
    }

    @Test
    void sigtermDrainsTheInFlightRequestAndRunningJobThenExitsZero() throws Exception {
        int port = startServer();
        ApiClient api = new ApiClient(port, adminKey);
        long jobId = api.enqueue("""
                {"kind": "slow"}""");
        awaitOutput("SLOW-JOB-STARTED");
        CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/slow")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitOutput("SLOW-REQUEST-STARTED");

        server.destroy(); // SIGTERM

        // The request cannot finish before we release it: refusal while it is in flight is the server's doing.
        awaitConnectionRefused(port);
        assertThat(inFlight).isNotDone();
        Files.createFile(releaseDir.resolve("request"));
        HttpResponse<String> response = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("slow request done");

        assertThat(server.isAlive()).as("still finishing the running job").isTrue();
        assertThat(jobState(jobId)).isEqualTo("running");
        Files.createFile(releaseDir.resolve("job"));

        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("exited; output:%n%s", String.join("\n", output)).isTrue();
        assertThat(server.exitValue()).as("exit status; output:%n%s", String.join("\n", output)).isZero();
        assertThat(jobState(jobId)).isEqualTo("completed");
    }

    private int startServer() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = List.of(java, "-Xmx256m", "-cp", classpath, ShutdownTestServer.class.getName(),
                "--spring.datasource.url=" + db.jdbcUrl(), "--server.port=0",
                "--switchboard.jobs.instance-id=shutdown-test", "--test.release-dir=" + releaseDir,
                "--switchboard.jobs.queues.default.poll-interval=200ms");
        server = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream()))) {
                String line;
                while ((line = out.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith("READY ")) {
                        String[] words = line.split(" ");
                        adminKey = words[2];
                        ready.complete(Integer.parseInt(words[1]));
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
            ready.complete(-1);
        });
        int port = ready.get(120, TimeUnit.SECONDS);
        if (port < 0) {
            fail("server exited before it was ready:%n%s", String.join("\n", output));
        }
        return port;
    }

    private void awaitOutput(String line) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!output.contains(line)) {
            if (Instant.now().isAfter(deadline) || !server.isAlive()) {
                fail("no %s; output:%n%s", line, String.join("\n", output));
            }
            Thread.sleep(20);
        }
    }

    private void awaitConnectionRefused(int port) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                // e.g. a timeout: try again
            }
            Thread.sleep(20);
        }
        fail("new connections were still accepted; output:%n%s", String.join("\n", output));
    }

    private String jobState(long id) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT state FROM switchboard.jobs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
