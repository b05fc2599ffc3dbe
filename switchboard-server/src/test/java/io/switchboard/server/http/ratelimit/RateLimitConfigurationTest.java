package io.switchboard.server.http.ratelimit;

import io.switchboard.server.ServerTests;
import io.switchboard.server.http.ratelimit.RateLimitProperties.FailMode;
import io.switchboard.server.http.ratelimit.RateLimitProperties.OutageSettings;
import io.switchboard.server.http.ratelimit.RateLimitProperties.Per;
import io.switchboard.server.http.ratelimit.RateLimitProperties.PolicySettings;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.diagnostics.FailureAnalysis;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A rate-limit setting that cannot work stops the server at startup, with a message naming it. */
class RateLimitConfigurationTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static final OutageSettings OUTAGE = new OutageSettings(FailMode.OPEN, FailMode.CLOSED, Duration.ofSeconds(2));

    @Test
    void everyInvalidPolicySettingIsNamed() {
        assertInvalid(policy(null, Duration.ofMinutes(1), List.of("/api/**"), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p: 'limit' is missing (requests per window, e.g. 100)");
        assertInvalid(policy(0, Duration.ofMinutes(1), List.of("/api/**"), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p: rate limit 'p': limit must be at least 1, was 0");
        assertInvalid(policy(10, null, List.of("/api/**"), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p: 'window' is missing (e.g. 15m)");
        assertInvalid(policy(10, Duration.ZERO, List.of("/api/**"), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p: rate limit 'p': window must be at least 1 ms, was PT0S");
        assertInvalid(policy(10, Duration.ofMinutes(1), List.of(), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p: 'paths' is missing (path patterns such as /api/**)");
        assertInvalid(policy(10, Duration.ofMinutes(1), List.of("api/**"), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p.paths: path pattern must start with '/', was 'api/**'");
        assertInvalid(policy(10, Duration.ofMinutes(1), List.of("/api/**/x"), List.of(), 1),
                "Invalid switchboard.rate-limit.policies.p.paths: path pattern '/api/**/x' is invalid");
        assertInvalid(policy(10, Duration.ofMinutes(1), List.of("/api/**"), List.of("FETCH"), 1),
                "Invalid switchboard.rate-limit.policies.p.methods: unknown HTTP method 'FETCH'");
        assertInvalid(policy(10, Duration.ofMinutes(1), List.of("/api/**"), List.of(), 11),
                "Invalid switchboard.rate-limit.policies.p.cost: must be from 1 to the limit (10), was 11");
        assertThatThrownBy(() -> RateLimitRules.from(new RateLimitProperties(true,
                Map.of("has space", new PolicySettings(true, 1, Duration.ofMinutes(1), List.of("/a"), List.of(), Per.CLIENT, 1)),
                List.of(), OUTAGE), null))
                .isInstanceOf(InvalidRateLimitConfigurationException.class)
                .hasMessageContaining("switchboard.rate-limit.policies.has space").hasMessageContaining("A-Z a-z 0-9");
        assertThatThrownBy(() -> RateLimitRules.from(new RateLimitProperties(true, Map.of(), List.of("webhooks"), OUTAGE), null))
                .isInstanceOf(InvalidRateLimitConfigurationException.class)
                .hasMessage("Invalid switchboard.rate-limit.exclude: path pattern must start with '/', was 'webhooks'");
    }

    @Test
    void aDisabledPolicyIsNeitherCheckedNorApplied() {
        RateLimitRules rules = RateLimitRules.from(new RateLimitProperties(true,
                Map.of("off", new PolicySettings(false, null, null, List.of(), List.of(), Per.CLIENT, 1)), List.of(), OUTAGE), null);
        assertThat(rules.rules()).isEmpty();
    }

    @Test
    void anInvalidPolicyStopsTheServerWithAnAnalysis() {
        Throwable failure = ServerTests.startFailure(db.jdbcUrl(), "--switchboard.rate-limit.policies.api.limit=0");

        InvalidRateLimitConfigurationException invalid = ServerTests.findCause(failure, InvalidRateLimitConfigurationException.class);
        assertThat(invalid).as("cause of %s", failure).isNotNull();
        assertThat(invalid.getMessage()).isEqualTo(
                "Invalid switchboard.rate-limit.policies.api: rate limit 'api': limit must be at least 1, was 0");
        FailureAnalysis analysis = new InvalidRateLimitConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).contains("switchboard.rate-limit.policies.api");
        assertThat(analysis.getAction()).contains("'limit'").contains("'window'").contains("'paths'");
    }

    @Test
    void aMisspeltSettingStopsTheServer() {
        Throwable failure = ServerTests.startFailure(db.jdbcUrl(), "--switchboard.rate-limit.policies.api.limt=5");

        assertThat(ServerTests.findCause(failure, InvalidRateLimitConfigurationException.class)).as("cause of %s", failure).isNotNull()
                .hasMessageContaining("switchboard.rate-limit.policies.api.limt")
                .hasMessageContaining("unknown setting 'limt'")
                .hasMessageContaining("[enabled, limit, window, paths, methods, per, cost]");
        assertThat(ServerTests.findCause(ServerTests.startFailure(db.jdbcUrl(), "--switchboard.rate-limit.on-database-unavailable.read=closed"),
                InvalidRateLimitConfigurationException.class))
                .isNotNull().hasMessageContaining("unknown setting 'read'");
    }

    private static void assertInvalid(PolicySettings settings, String message) {
        assertThatThrownBy(() -> RateLimitRules.from(new RateLimitProperties(true, Map.of("p", settings), List.of(), OUTAGE), null))
                .isInstanceOf(InvalidRateLimitConfigurationException.class)
                .hasMessageStartingWith(message);
    }

    private static PolicySettings policy(Integer limit, Duration window, List<String> paths, List<String> methods, int cost) {
        return new PolicySettings(true, limit, window, paths, methods, Per.CLIENT, cost);
    }
}
