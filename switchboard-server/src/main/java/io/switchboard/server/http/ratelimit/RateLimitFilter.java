package io.switchboard.server.http.ratelimit;

import io.switchboard.db.DatabaseException;
import io.switchboard.limit.RateLimit;
import io.switchboard.limit.RateLimitDecision;
import io.switchboard.limit.RateLimitRequest;
import io.switchboard.limit.RateLimiter;
import io.switchboard.server.http.Problems;
import io.switchboard.server.http.ratelimit.RateLimitRules.Rule;
import io.switchboard.server.tenancy.Principal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Applies the rate-limit policies of {@code switchboard.rate-limit} to every request they match, on the
 * {@link RateLimiter} every instance shares through the database: one statement per request, whatever the number
 * of policies.
 *
 * <ul>
 *   <li>Every limited response carries the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers,
 *       structured-field form): {@code RateLimit-Policy: "api";q=100;w=900} and {@code RateLimit: "api";r=42;t=30}
 *       (r: requests left, t: seconds until the quota is whole again), one list member per policy.</li>
 *   <li>A refused request gets 429 as problem+json ({@code urn:switchboard:problem:rate-limited}) with
 *       {@code Retry-After}, and reaches no controller.</li>
 *   <li>While the database cannot be reached, reads (GET, HEAD, OPTIONS) are served and writes refused with 503
 *       by default ({@code switchboard.rate-limit.on-database-unavailable}). Requests that would be served skip the
 *       database for a probe interval after a failure; requests that would be refused always try it, since only
 *       its answer can admit them (and one that succeeds ends the outage for all).</li>
 * </ul>
 *
 * <p>Requests count against their client: the request attribute {@value #CLIENT_ATTRIBUTE} set by authentication
 * (e.g. {@code key:ab12cd}), or {@code ip:<remote address>} without one. Policies with {@code per: org} count
 * against the attribute {@value #ORG_ATTRIBUTE} ({@code org:<id>}), policies with {@code per: ip} against the
 * remote address. Behind a proxy, enable {@code server.forward-headers-strategy} so the remote address is the
 * client's.
 */
public class RateLimitFilter extends OncePerRequestFilter {
    /** Request attribute naming the authenticated client (a String such as {@code key:ab12cd}). */
    public static final String CLIENT_ATTRIBUTE = Principal.CLIENT_ATTRIBUTE;
    /** Request attribute naming the client's organisation (a String). */
    public static final String ORG_ATTRIBUTE = Principal.ORG_ATTRIBUTE;
    /** Problem type of a refused request. */
    public static final String RATE_LIMITED = "rate-limited";
    /** The policies and their parameters. */
    public static final String POLICY_HEADER = "RateLimit-Policy";
    /** The current quota state per policy. */
    public static final String STATE_HEADER = "RateLimit";

    private final RateLimiter limiter;
    private final RateLimitRules rules;
    private final boolean enabled;
    private final LimiterOutage outage;
    private final JsonMapper json;

    RateLimitFilter(RateLimiter limiter, RateLimitRules rules, boolean enabled, LimiterOutage outage, JsonMapper json) {
        this.limiter = limiter;
        this.rules = rules;
        this.enabled = enabled;
        this.outage = outage;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!enabled) {
            chain.doFilter(request, response);
            return;
        }
        List<Rule> matching = rules.matching(request.getMethod(), path(request));
        if (matching.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        boolean read = isRead(request.getMethod());
        if (outage.servedWithoutDecision(read) && outage.skipDatabase()) {
            withoutDecision(read, request, response, chain);
            return;
        }
        List<RateLimitRequest> requests = new ArrayList<>(matching.size());
        for (Rule rule : matching) {
            requests.add(new RateLimitRequest(rule.limit(), key(rule, request), rule.cost()));
        }
        List<RateLimitDecision> decisions;
        try {
            decisions = limiter.tryAcquireAll(requests);
        } catch (DatabaseException e) {
            outage.failed(e);
            withoutDecision(read, request, response, chain);
            return;
        }
        outage.recovered();
        response.setHeader(POLICY_HEADER, policyField(decisions));
        response.setHeader(STATE_HEADER, stateField(decisions));
        if (decisions.getFirst().allowed()) {
            chain.doFilter(request, response);
        } else {
            tooManyRequests(request, response, matching, decisions);
        }
    }

    /** The path as Spring MVC matches it (segments decoded); malformed escapes are matched as they are. */
    static PathContainer path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        try {
            return RequestPath.parse(uri, request.getContextPath()).pathWithinApplication();
        } catch (IllegalArgumentException malformed) {
            return PathContainer.parsePath(uri.substring(request.getContextPath().length()), PathContainer.Options.create('/', false));
        }
    }

    private void withoutDecision(boolean read, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (outage.serve(read)) {
            chain.doFilter(request, response);
            return;
        }
        ProblemDetail problem = Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, Problems.DATABASE_UNAVAILABLE,
                "Database unavailable", "the rate limiter cannot reach its database, so this " + request.getMethod()
                        + " request is refused rather than served unlimited; retry later");
        write(request, response, Problems.RETRY_AFTER_SECONDS, problem);
    }

    private void tooManyRequests(HttpServletRequest request, HttpServletResponse response, List<Rule> rules,
                                 List<RateLimitDecision> decisions) throws IOException {
        int blocking = 0;
        for (int i = 1; i < decisions.size(); i++) {
            if (decisions.get(i).retryAfter().compareTo(decisions.get(blocking).retryAfter()) > 0) {
                blocking = i;
            }
        }
        RateLimitDecision decision = decisions.get(blocking);
        RateLimit policy = decision.policy();
        long retryAfter = Math.max(1, ceilSeconds(decision.retryAfter()));
        ProblemDetail problem = Problems.problem(HttpStatus.TOO_MANY_REQUESTS, RATE_LIMITED, "Too many requests",
                "rate limit '" + policy.name() + "' allows " + policy.limit() + " requests per " + human(policy.window())
                        + " " + whose(rules.get(blocking)) + "; retry in " + retryAfter + " s");
        problem.setProperty("policy", policy.name());
        problem.setProperty("limit", policy.limit());
        problem.setProperty("windowSeconds", ceilSeconds(policy.window()));
        problem.setProperty("retryAfterSeconds", retryAfter);
        write(request, response, retryAfter, problem);
    }

    private void write(HttpServletRequest request, HttpServletResponse response, long retryAfterSeconds, ProblemDetail problem)
            throws IOException {
        Problems.write(response, problem, request.getRequestURI(),
                Map.of(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds)), json);
    }

    /** {@code "api";q=100;w=900, "expensive";q=10;w=900} */
    static String policyField(List<RateLimitDecision> decisions) {
        StringBuilder field = new StringBuilder();
        for (RateLimitDecision d : decisions) {
            if (!field.isEmpty()) {
                field.append(", ");
            }
            field.append('"').append(d.policy().name()).append("\";q=").append(d.limit())
                    .append(";w=").append(Math.max(1, ceilSeconds(d.policy().window())));
        }
        return field.toString();
    }

    /** {@code "api";r=42;t=30, "expensive";r=3;t=600} */
    static String stateField(List<RateLimitDecision> decisions) {
        StringBuilder field = new StringBuilder();
        for (RateLimitDecision d : decisions) {
            if (!field.isEmpty()) {
                field.append(", ");
            }
            field.append('"').append(d.policy().name()).append("\";r=").append(d.remaining())
                    .append(";t=").append(ceilSeconds(d.resetAfter()));
        }
        return field.toString();
    }

    static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }

    /** The key a request counts against under {@code rule}. Keys too long to store are replaced by their hash. */
    static String key(Rule rule, HttpServletRequest request) {
        String key = switch (rule.per()) {
            case CLIENT -> client(request);
            case ORG -> {
                String org = attribute(request, ORG_ATTRIBUTE);
                yield org == null ? client(request) : "org:" + org;
            }
            case IP -> "ip:" + request.getRemoteAddr();
        };
        return key.length() <= RateLimiter.MAX_KEY_LENGTH ? key : "sha256:" + sha256(key);
    }

    private static String client(HttpServletRequest request) {
        String client = attribute(request, CLIENT_ATTRIBUTE);
        return client == null ? "ip:" + request.getRemoteAddr() : client;
    }

    private static String attribute(HttpServletRequest request, String name) {
        Object value = request.getAttribute(name);
        return value instanceof String s && !s.isBlank() ? s : null;
    }

    private static String whose(Rule rule) {
        return switch (rule.per()) {
            case CLIENT -> "per client";
            case ORG -> "per organisation";
            case IP -> "per address";
        };
    }

    static long ceilSeconds(Duration d) {
        long seconds = d.getSeconds();
        return d.getNano() > 0 ? seconds + 1 : seconds;
    }

    /** 15m, 1h, 90s, 500ms. */
    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
