package io.switchboard.server.http.ratelimit;

import io.switchboard.server.DatabaseOutageTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.server.http.ratelimit.RateLimitHttp.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the limiter's database stopped: reads are served unlimited and writes refused with 503 (the defaults),
 * the outage is logged once rather than per request, and limits apply again once the database is back.
 */
@Import(RateLimitHttp.WithoutAuthentication.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.rate-limit.policies.api.limit=50",
        "switchboard.rate-limit.policies.api.window=1h",
        "switchboard.rate-limit.on-database-unavailable.probe-interval=500ms",
})
@ExtendWith(OutputCaptureExtension.class)
class RateLimitOutageTest extends DatabaseOutageTestBase {
    @Autowired
    MeterRegistry meters;

    @Test
    void readsAreServedAndWritesRefusedWhileTheDatabaseIsDownAndTheOutageIsLoggedOnce(CapturedOutput output) {
        RateLimitHttp http = new RateLimitHttp(port, null);
        // Which instance answers needs no database: the one endpoint that works through an outage.
        Reply before = http.get("/api/instances/self");
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.header("RateLimit")).startsWith("\"api\";r=49;");

        db.stopServer();
        try {
            for (int i = 0; i < 10; i++) {
                Reply read = http.get("/api/instances/self");
                assertThat(read.status()).as("read %d: %s", i + 1, read).isEqualTo(200);
                assertThat(read.header("RateLimit")).as("no decision, no state").isNull();
            }
            for (int i = 0; i < 4; i++) {
                Reply write = http.post("/api/jobs", """
                        {"kind": "noop"}""");
                assertThat(write.status()).as("write %d: %s", i + 1, write).isEqualTo(503);
                assertThat(write.contentType()).startsWith("application/problem+json");
                assertThat(write.header("Retry-After")).isEqualTo("5");
                assertThat(write.json().get("type").asString()).isEqualTo("urn:switchboard:problem:database-unavailable");
                assertThat(write.json().get("detail").asString()).startsWith("the rate limiter cannot reach its database");
            }
            sleep(600); // past the probe interval: the next request tries the database again, and fails again
            assertThat(http.get("/api/instances/self").status()).isEqualTo(200);

            assertThat(occurrences(output.getOut(), "Rate limiter cannot reach its database")).isEqualTo(1);
            assertThat(meters.counter("switchboard.ratelimit.unavailable", "outcome", "served").count()).isGreaterThanOrEqualTo(11);
            assertThat(meters.counter("switchboard.ratelimit.unavailable", "outcome", "refused").count()).isGreaterThanOrEqualTo(4);
        } finally {
            db.startServer();
        }

        Instant deadline = Instant.now().plusSeconds(30);
        Reply after = http.get("/api/instances/self");
        while (after.header("RateLimit") == null && Instant.now().isBefore(deadline)) {
            sleep(100);
            after = http.get("/api/instances/self");
        }
        assertThat(after.header("RateLimit")).as("limited again: %s", after).startsWith("\"api\";r=");
        assertThat(output.getOut()).contains("Rate limiter's database is reachable again");
    }

    private static int occurrences(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
