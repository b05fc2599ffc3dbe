package io.switchboard.server.http.ratelimit;

import io.switchboard.server.ServerTestBase;
import io.switchboard.server.ServerTests;
import io.switchboard.server.http.ratelimit.RateLimitHttp.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.switchboard.server.http.ratelimit.RateLimitHttp.CLIENT_HEADER;
import static io.switchboard.server.http.ratelimit.RateLimitHttp.ORG_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

/** The rate-limit filter over real HTTP, with small limits: headers, 429 problems, clients, orgs, exclusions. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.rate-limit.policies.api.limit=5",
        "switchboard.rate-limit.policies.api.window=1h",
        "switchboard.rate-limit.policies.expensive.limit=2",
        "switchboard.rate-limit.policies.expensive.window=1h",
        "switchboard.rate-limit.policies.expensive.paths=/api/queues/**",
        "switchboard.rate-limit.policies.orgs.limit=3",
        "switchboard.rate-limit.policies.orgs.window=1h",
        "switchboard.rate-limit.policies.orgs.paths=/api/leases/**",
        "switchboard.rate-limit.policies.orgs.per=org",
        "switchboard.rate-limit.policies.writes.limit=1",
        "switchboard.rate-limit.policies.writes.window=1h",
        "switchboard.rate-limit.policies.writes.paths=/api/jobs/**",
        "switchboard.rate-limit.policies.writes.methods=POST",
})
@Import(RateLimitHttp.ClientFromHeader.class)
class RateLimitApiTest extends ServerTestBase {
    @Autowired
    DataSource dataSource;

    RateLimitHttp http;

    @BeforeEach
    void freshQuotas() {
        RateLimitHttp.resetLimits(dataSource);
        http = new RateLimitHttp(port, ServerTests.adminKey(context));
    }

    @Test
    void anAdmittedResponseCarriesThePolicyAndItsState() {
        Reply reply = http.get("/api/jobs/dead");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.header("RateLimit-Policy")).isEqualTo("\"api\";q=5;w=3600");
        // One request used: 4 left; the quota is whole again one emission interval (3600 s / 5) later.
        assertThat(reply.header("RateLimit")).isEqualTo("\"api\";r=4;t=720");
        assertThat(reply.header("Retry-After")).isNull();
    }

    @Test
    void theStricterPolicyOfAnExpensiveEndpointRefusesWith429ProblemAndRetryAfter() {
        assertThat(http.get("/api/queues").status()).isEqualTo(200);
        Reply second = http.get("/api/queues");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("RateLimit-Policy")).isEqualTo("\"api\";q=5;w=3600, \"expensive\";q=2;w=3600");
        assertThat(second.header("RateLimit")).isEqualTo("\"api\";r=3;t=1440, \"expensive\";r=0;t=3600");

        Reply refused = http.get("/api/queues");

        assertThat(refused.status()).as("%s", refused).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        JsonNode problem = refused.json();
        assertThat(problem.get("type").asString()).isEqualTo("urn:switchboard:problem:rate-limited");
        assertThat(problem.get("title").asString()).isEqualTo("Too many requests");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asString()).startsWith("rate limit 'expensive' allows 2 requests per 1h per client; retry in ");
        assertThat(problem.get("policy").asString()).isEqualTo("expensive");
        assertThat(problem.get("instance").asString()).isEqualTo("/api/queues");
        // The next request's worth of the expensive quota comes back 3600 s / 2 after the first request.
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1790L, 1800L);
        assertThat(problem.get("retryAfterSeconds").asLong()).isEqualTo(retryAfter);
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"api\";q=5;w=3600, \"expensive\";q=2;w=3600");
        // The refused request cost the general quota nothing.
        assertThat(refused.header("RateLimit")).startsWith("\"api\";r=3;t=1440, \"expensive\";r=0;");

        // Cheap endpoints go on under the general policy alone, until it is used up too.
        for (int left = 2; left >= 0; left--) {
            Reply cheap = http.get("/api/jobs/dead");
            assertThat(cheap.status()).isEqualTo(200);
            assertThat(cheap.header("RateLimit")).startsWith("\"api\";r=" + left + ";");
        }
        Reply overGeneral = http.get("/api/jobs/dead");
        assertThat(overGeneral.status()).isEqualTo(429);
        assertThat(overGeneral.json().get("policy").asString()).isEqualTo("api");
        assertThat(Long.parseLong(overGeneral.header("Retry-After"))).isBetween(710L, 720L);
    }

    @Test
    void eachClientHasItsOwnQuota() {
        for (int i = 0; i < 5; i++) {
            assertThat(http.get("/api/jobs/dead", CLIENT_HEADER, "alice").status()).isEqualTo(200);
        }
        assertThat(http.get("/api/jobs/dead", CLIENT_HEADER, "alice").status()).isEqualTo(429);

        Reply bob = http.get("/api/jobs/dead", CLIENT_HEADER, "bob");
        assertThat(bob.status()).isEqualTo(200);
        assertThat(bob.header("RateLimit")).startsWith("\"api\";r=4;");
        // Without an authenticated client, the remote address is the client.
        Reply anonymous = http.get("/api/jobs/dead");
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.header("RateLimit")).startsWith("\"api\";r=4;");
    }

    @Test
    void anOrgPolicySharesOneQuotaAcrossTheOrgsClients() {
        assertThat(http.get("/api/leases", CLIENT_HEADER, "a1", ORG_HEADER, "acme").status()).isEqualTo(200);
        assertThat(http.get("/api/leases", CLIENT_HEADER, "a2", ORG_HEADER, "acme").status()).isEqualTo(200);
        Reply third = http.get("/api/leases", CLIENT_HEADER, "a3", ORG_HEADER, "acme");
        assertThat(third.status()).isEqualTo(200);
        assertThat(third.header("RateLimit")).isEqualTo("\"api\";r=4;t=720, \"orgs\";r=0;t=3600");

        Reply fourth = http.get("/api/leases", CLIENT_HEADER, "a4", ORG_HEADER, "acme");
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.json().get("detail").asString()).contains("per organisation");
        // Another organisation, and a client without one (limited on its own), are unaffected.
        assertThat(http.get("/api/leases", CLIENT_HEADER, "g1", ORG_HEADER, "globex").status()).isEqualTo(200);
        assertThat(http.get("/api/leases", CLIENT_HEADER, "solo").status()).isEqualTo(200);
    }

    @Test
    void aMethodRestrictedPolicyLimitsOnlyThoseMethodsAndARefusedRequestReachesNoController() throws Exception {
        long before = jobCount();
        Reply first = http.post("/api/jobs", """
                {"kind": "noop", "delayMs": 600000}""");
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        assertThat(first.header("RateLimit-Policy")).isEqualTo("\"api\";q=5;w=3600, \"writes\";q=1;w=3600");

        Reply second = http.post("/api/jobs", """
                {"kind": "noop", "delayMs": 600000}""");

        assertThat(second.status()).isEqualTo(429);
        assertThat(second.json().get("policy").asString()).isEqualTo("writes");
        assertThat(jobCount()).as("jobs enqueued").isEqualTo(before + 1);
        Reply read = http.get("/api/jobs/dead");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("RateLimit-Policy")).isEqualTo("\"api\";q=5;w=3600");
    }

    @Test
    void webhooksAndActuatorAreNeverLimited() {
        for (int i = 0; i < 5; i++) {
            http.get("/api/jobs/dead");
        }
        assertThat(http.get("/api/jobs/dead").status()).isEqualTo(429);

        for (int i = 0; i < 12; i++) {
            Reply webhook = http.post("/webhooks/stripe", "{}");
            assertThat(webhook.status()).as("%s", webhook).isNotEqualTo(429);
            assertThat(webhook.header("RateLimit")).isNull();
            Reply health = http.get("/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.header("RateLimit-Policy")).isNull();
        }
        // Paths outside every policy are not limited either.
        assertThat(http.get("/").header("RateLimit")).isNull();
    }

    @Test
    void decisionsAreCountedByPolicy() {
        http.get("/api/queues");
        http.get("/api/queues");
        http.get("/api/queues");

        String metrics = http.get("/actuator/prometheus").raw().body();

        assertThat(metrics).containsPattern("switchboard_ratelimit_denied_total\\{policy=\"expensive\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("switchboard_ratelimit_allowed_total\\{policy=\"api\"[^}]*} [1-9]");
    }

    private long jobCount() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM switchboard.jobs")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
