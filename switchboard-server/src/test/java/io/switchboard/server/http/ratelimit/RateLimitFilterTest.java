package io.switchboard.server.http.ratelimit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.limit.RateLimit;
import io.switchboard.limit.RateLimitDecision;
import io.switchboard.limit.RateLimiter;
import io.switchboard.server.http.ratelimit.RateLimitProperties.FailMode;
import io.switchboard.server.http.ratelimit.RateLimitProperties.OutageSettings;
import io.switchboard.server.http.ratelimit.RateLimitProperties.Per;
import io.switchboard.server.http.ratelimit.RateLimitProperties.PolicySettings;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The filter's own logic, without a server: fail modes, the probe interval, client keys, header fields. */
class RateLimitFilterTest {
    private final AtomicInteger connectionAttempts = new AtomicInteger();

    @Test
    void failModesAreConfigurablePerRequestKind() throws Exception {
        RateLimitFilter filter = filter(new OutageSettings(FailMode.CLOSED, FailMode.OPEN, Duration.ZERO));

        MockHttpServletResponse read = run(filter, "GET", "/api/jobs/dead");
        assertThat(read.getStatus()).isEqualTo(503);
        assertThat(read.getContentType()).isEqualTo("application/problem+json");
        assertThat(read.getHeader("Retry-After")).isEqualTo("5");
        assertThat(read.getContentAsString()).contains("urn:switchboard:problem:database-unavailable")
                .contains("this GET request is refused");

        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse write = new MockHttpServletResponse();
        filter.doFilter(request("POST", "/api/jobs"), write, chain);
        assertThat(chain.getRequest()).as("the write went on down the chain").isNotNull();
        assertThat(write.getStatus()).isEqualTo(200);
    }

    @Test
    void afterAFailureRequestsSkipTheDatabaseForTheProbeInterval() throws Exception {
        RateLimitFilter patient = filter(new OutageSettings(FailMode.OPEN, FailMode.CLOSED, Duration.ofMinutes(1)));
        for (int i = 0; i < 5; i++) {
            run(patient, "GET", "/api/jobs/dead");
        }
        assertThat(connectionAttempts.get()).isEqualTo(1);
        // A request that would be refused tries the database anyway: only its answer can admit it.
        for (int i = 0; i < 3; i++) {
            assertThat(run(patient, "POST", "/api/jobs").getStatus()).isEqualTo(503);
        }
        assertThat(connectionAttempts.get()).isEqualTo(4);

        connectionAttempts.set(0);
        RateLimitFilter eager = filter(new OutageSettings(FailMode.OPEN, FailMode.CLOSED, Duration.ZERO));
        for (int i = 0; i < 5; i++) {
            Thread.sleep(1);
            run(eager, "GET", "/api/jobs/dead");
        }
        assertThat(connectionAttempts.get()).isEqualTo(5);
    }

    @Test
    void excludedAndUnmatchedPathsNeverTouchTheDatabase() throws Exception {
        RateLimitFilter filter = filter(new OutageSettings(FailMode.CLOSED, FailMode.CLOSED, Duration.ZERO));

        assertThat(run(filter, "POST", "/webhooks/stripe").getStatus()).isEqualTo(200);
        assertThat(run(filter, "GET", "/actuator/health").getStatus()).isEqualTo(200);
        assertThat(run(filter, "GET", "/").getStatus()).isEqualTo(200);
        // Encoded and parameterised forms of an excluded path are the same path.
        assertThat(run(filter, "POST", "/%77ebhooks/stripe;x=1").getStatus()).isEqualTo(200);
        assertThat(connectionAttempts.get()).isZero();
        assertThat(run(filter, "GET", "/%61pi/queues").getStatus()).as("an encoded limited path is limited").isEqualTo(503);
        assertThat(run(filter, "GET", "/api/%zz").getStatus()).as("a malformed escape is limited too").isEqualTo(503);
    }

    @Test
    void requestsCountAgainstTheirClientOrgOrAddress() {
        RateLimitRules.Rule perClient = rule(Per.CLIENT);
        RateLimitRules.Rule perOrg = rule(Per.ORG);
        RateLimitRules.Rule perIp = rule(Per.IP);
        MockHttpServletRequest anonymous = request("GET", "/api/x");
        anonymous.setRemoteAddr("203.0.113.9");
        MockHttpServletRequest authenticated = request("GET", "/api/x");
        authenticated.setRemoteAddr("203.0.113.9");
        authenticated.setAttribute(RateLimitFilter.CLIENT_ATTRIBUTE, "key:ab12cd");
        authenticated.setAttribute(RateLimitFilter.ORG_ATTRIBUTE, "acme");

        assertThat(RateLimitFilter.key(perClient, anonymous)).isEqualTo("ip:203.0.113.9");
        assertThat(RateLimitFilter.key(perOrg, anonymous)).isEqualTo("ip:203.0.113.9");
        assertThat(RateLimitFilter.key(perClient, authenticated)).isEqualTo("key:ab12cd");
        assertThat(RateLimitFilter.key(perOrg, authenticated)).isEqualTo("org:acme");
        assertThat(RateLimitFilter.key(perIp, authenticated)).isEqualTo("ip:203.0.113.9");

        authenticated.setAttribute(RateLimitFilter.CLIENT_ATTRIBUTE, "key:" + "x".repeat(300));
        assertThat(RateLimitFilter.key(perClient, authenticated)).startsWith("sha256:").hasSize(7 + 64);
    }

    @Test
    void headerFieldsUseWholeSecondsRoundedUp() {
        RateLimit api = RateLimit.of("api", 100, Duration.ofMinutes(15));
        RateLimit fast = RateLimit.of("fast", 3, Duration.ofMillis(1500));
        List<RateLimitDecision> decisions = List.of(
                new RateLimitDecision(api, "k", true, 42, Duration.ofMillis(29_001), Duration.ZERO),
                new RateLimitDecision(fast, "k", true, 0, Duration.ofMillis(1500), Duration.ZERO));

        assertThat(RateLimitFilter.policyField(decisions)).isEqualTo("\"api\";q=100;w=900, \"fast\";q=3;w=2");
        assertThat(RateLimitFilter.stateField(decisions)).isEqualTo("\"api\";r=42;t=30, \"fast\";r=0;t=2");
        assertThat(RateLimitFilter.human(Duration.ofMinutes(15))).isEqualTo("15m");
        assertThat(RateLimitFilter.human(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(RateLimitFilter.human(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(RateLimitFilter.human(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    private RateLimitFilter filter(OutageSettings outage) {
        Map<String, PolicySettings> policies = new LinkedHashMap<>();
        policies.put("api", new PolicySettings(true, 100, Duration.ofMinutes(15), List.of("/api/**"), List.of(), Per.CLIENT, 1));
        policies.put("expensive", new PolicySettings(true, 10, Duration.ofMinutes(15), List.of("/api/queues/**"), List.of(), Per.CLIENT, 1));
        RateLimitProperties properties = new RateLimitProperties(true, policies, List.of("/webhooks/**", "/actuator/**"), outage);
        return new RateLimitFilter(new RateLimiter(unreachable()), RateLimitRules.from(properties, null), true,
                new LimiterOutage(outage, new SimpleMeterRegistry()), JsonMapper.builder().build());
    }

    private static RateLimitRules.Rule rule(Per per) {
        return new RateLimitRules.Rule(RateLimit.of("p", 10, Duration.ofMinutes(1)), List.of(), java.util.Set.of(), per, 1);
    }

    private static MockHttpServletResponse run(RateLimitFilter filter, String method, String path) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request(method, path), response, new MockFilterChain());
        return response;
    }

    private static MockHttpServletRequest request(String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setRemoteAddr("127.0.0.1");
        return request;
    }

    /** A DataSource whose every connection attempt fails at once, counting the attempts. */
    private DataSource unreachable() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connectionAttempts.incrementAndGet();
                        throw new SQLTransientConnectionException("Connection is not available, request timed out after 1000ms");
                    }
                    if (method.getName().equals("toString")) {
                        return "unreachable";
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
