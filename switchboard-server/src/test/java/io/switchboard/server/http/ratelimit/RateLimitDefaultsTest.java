package io.switchboard.server.http.ratelimit;

import io.switchboard.server.ServerTestBase;
import io.switchboard.server.ServerTests;
import io.switchboard.server.http.ratelimit.RateLimitHttp.Reply;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped defaults of application.yml (the test configuration raises the limits for the other tests; this
 * one restores the shipped values): 100 per 15 minutes on /api/**, 10 per 15 minutes on the expensive endpoints,
 * webhooks and actuator never limited, and the purge of idle keys among the maintenance schedules.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.rate-limit.policies.api.limit=100",
        "switchboard.rate-limit.policies.expensive.limit=10",
})
class RateLimitDefaultsTest extends ServerTestBase {
    @Test
    void shippedPoliciesApplyAndWebhooksAndActuatorAreExempt() {
        RateLimitHttp http = new RateLimitHttp(port, ServerTests.adminKey(context));

        Reply plain = http.get("/api/jobs/dead");
        assertThat(plain.header("RateLimit-Policy")).isEqualTo("\"api\";q=100;w=900");
        assertThat(plain.header("RateLimit")).isEqualTo("\"api\";r=99;t=9");

        for (int i = 0; i < 10; i++) {
            Reply queues = http.get("/api/queues");
            assertThat(queues.status()).as("request %d: %s", i + 1, queues).isEqualTo(200);
            assertThat(queues.header("RateLimit-Policy")).isEqualTo("\"api\";q=100;w=900, \"expensive\";q=10;w=900");
        }
        Reply refused = http.get("/api/queues");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("detail").asString()).startsWith("rate limit 'expensive' allows 10 requests per 15m per client");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(80L, 90L);

        assertThat(http.post("/webhooks/github", "{}").header("RateLimit")).isNull();
        assertThat(http.get("/actuator/health").header("RateLimit")).isNull();

        List<String> schedules = new ArrayList<>();
        http.get("/api/schedules").json().get("schedules").forEach(s -> schedules.add(s.get("name").asString()));
        assertThat(schedules).contains("switchboard.purge-rate-limits");
        assertThat(http.get("/api/schedules/switchboard.purge-rate-limits").json().get("trigger").asString()).isEqualTo("every:PT5M");
    }
}
