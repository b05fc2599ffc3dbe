package io.switchboard.server.http.ratelimit;

import io.switchboard.server.ServerTests;
import io.switchboard.server.SwitchboardServerApplication;
import io.switchboard.server.http.ratelimit.RateLimitHttp.Reply;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.switchboard.server.http.ratelimit.RateLimitHttp.CLIENT_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

/** Two servers on one database enforce one limit together: what one admits, the other counts. */
class RateLimitAcrossInstancesTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;

    @BeforeAll
    static void startTwoServers() {
        first = start("limit-node-1");
        second = start("limit-node-2");
    }

    @AfterAll
    static void stopServers() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[]{first, second}) {
            if (context != null) {
                ServerTests.stopWorkers(context);
                context.close();
            }
        }
    }

    @BeforeEach
    void freshQuotas() {
        RateLimitHttp.resetLimits(first.getBean(javax.sql.DataSource.class));
    }

    @Test
    void requestsAlternatingBetweenTwoServersShareOneQuota() {
        List<RateLimitHttp> servers = List.of(new RateLimitHttp(port(first), ServerTests.adminKey(first)), new RateLimitHttp(port(second), ServerTests.adminKey(first)));

        for (int i = 0; i < 10; i++) {
            Reply reply = servers.get(i % 2).get("/api/jobs/dead", CLIENT_HEADER, "shared");
            assertThat(reply.status()).as("request %d: %s", i + 1, reply).isEqualTo(200);
            assertThat(reply.header("RateLimit")).as("request %d", i + 1).startsWith("\"api\";r=" + (9 - i) + ";");
        }

        for (RateLimitHttp server : servers) {
            Reply refused = server.get("/api/jobs/dead", CLIENT_HEADER, "shared");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.json().get("policy").asString()).isEqualTo("api");
        }
    }

    @Test
    void concurrentRequestsToBothServersAdmitExactlyTheLimit() throws Exception {
        List<RateLimitHttp> servers = List.of(new RateLimitHttp(port(first), ServerTests.adminKey(first)), new RateLimitHttp(port(second), ServerTests.adminKey(first)));
        int threads = 8;
        int requestsEach = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                RateLimitHttp server = servers.get(t % 2);
                results.add(pool.submit(() -> {
                    start.await();
                    int[] statuses = new int[2];
                    for (int i = 0; i < requestsEach; i++) {
                        int status = server.get("/api/jobs/dead", CLIENT_HEADER, "crowd").status();
                        statuses[status == 200 ? 0 : status == 429 ? 1 : -1]++;
                    }
                    return statuses;
                }));
            }
            start.countDown();
            int admitted = 0;
            int refused = 0;
            for (Future<int[]> result : results) {
                admitted += result.get()[0];
                refused += result.get()[1];
            }

            assertThat(admitted).isEqualTo(10);
            assertThat(refused).isEqualTo(threads * requestsEach - 10);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ConfigurableApplicationContext start(String instanceId) {
        return new SpringApplicationBuilder(SwitchboardServerApplication.class, RateLimitHttp.ClientFromHeader.class)
                .run("--server.port=0",
                        "--spring.datasource.url=" + db.jdbcUrl(),
                        "--switchboard.jobs.instance-id=" + instanceId,
                        "--switchboard.rate-limit.policies.api.limit=10",
                        "--switchboard.rate-limit.policies.api.window=1h");
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
