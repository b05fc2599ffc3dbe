package io.switchboard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;

/**
 * The webhook bench's baseline: what a hand-written receiver minimally does. A JDK HTTP server that verifies the
 * Stripe signature, does one autocommitted INSERT of the raw body and answers 200 after it (401 for a bad
 * signature, 503 if the insert fails). No deduplication, no processing job, no group commit. Run as its own JVM
 * by {@link WebhookBench}:
 *
 * <pre>java -cp switchboard-bench.jar io.switchboard.bench.BaselineWebhookServer &lt;port&gt; &lt;jdbc url&gt; &lt;secret&gt; &lt;threads&gt;</pre>
 */
public final class BaselineWebhookServer {
    /** Printed once listening, for the bench to wait on. */
    static final String READY = "baseline ready";

    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS baseline_events (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                received_at timestamptz NOT NULL DEFAULT now(),
                body        bytea       NOT NULL
            )""";
    private static final String INSERT = "INSERT INTO baseline_events (body) VALUES (?)";
    private static final byte[] OK = "{\"received\":true}".getBytes(StandardCharsets.UTF_8);

    private BaselineWebhookServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String jdbcUrl = args[1];
        String secret = args[2];
        int threads = Integer.parseInt(args[3]);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername("postgres");
        config.setMaximumPoolSize(threads);
        config.setPoolName("baseline");
        HikariDataSource dataSource = new HikariDataSource(config);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/webhooks/stripe", exchange -> receive(exchange, dataSource, secret));
        server.start();
        System.out.println(READY);
        System.out.flush();
    }

    private static void receive(HttpExchange exchange, HikariDataSource dataSource, String secret) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(1024 * 1024 + 1);
            if (!"POST".equals(exchange.getRequestMethod()) || body.length > 1024 * 1024) {
                respond(exchange, 400, "{\"error\":\"bad request\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!StripeSignature.verify(secret, exchange.getRequestHeaders().getFirst("Stripe-Signature"), body,
                    System.currentTimeMillis() / 1000)) {
                respond(exchange, 401, "{\"error\":\"bad signature\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT)) {
                insert.setBytes(1, body);
                insert.executeUpdate();
            } catch (SQLException e) {
                respond(exchange, 503, "{\"error\":\"not stored\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            respond(exchange, 200, OK);
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
