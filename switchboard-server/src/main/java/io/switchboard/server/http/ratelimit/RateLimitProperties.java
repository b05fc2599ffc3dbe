package io.switchboard.server.http.ratelimit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rate limits of the HTTP API ({@code switchboard.rate-limit.*}), shared by every instance through the database.
 * The defaults (in application.yml): 100 requests per 15 minutes per client on {@code /api/**}, and a stricter 10
 * per 15 minutes on the expensive endpoints {@code /api/analytics/**} and {@code /api/queues/**}; webhooks and
 * actuator endpoints are never limited. A request matched by several policies must pass all of them, and is
 * counted against none if one refuses it. Checked at startup: an invalid setting stops the server with a message
 * naming it.
 *
 * @param enabled                 whether requests are limited at all (default true)
 * @param policies                policies by name (the name appears in the RateLimit headers and metrics)
 * @param exclude                 path patterns never limited, whatever a policy says
 * @param onDatabaseUnavailable   what to do while the limiter's database cannot be reached
 */
@ConfigurationProperties("switchboard.rate-limit")
public record RateLimitProperties(@DefaultValue("true") boolean enabled,
                                  Map<String, PolicySettings> policies,
                                  List<String> exclude,
                                  @DefaultValue OutageSettings onDatabaseUnavailable) {
    public RateLimitProperties {
        policies = policies == null ? Map.of() : new LinkedHashMap<>(policies);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    /** Whose quota a request counts against. */
    public enum Per {
        /**
         * The authenticated client (request attribute {@code switchboard.client}, e.g. {@code key:ab12cd}), or the
         * remote address ({@code ip:<address>}) for requests without one.
         */
        CLIENT,
        /** The client's organisation (request attribute {@code switchboard.org}); the client when it has none. */
        ORG,
        /** The remote address, whoever the client is. */
        IP
    }

    /** What a request gets when its rate limit cannot be decided. */
    public enum FailMode {
        /** Served without a limit. */
        OPEN,
        /** Refused with 503 and Retry-After. */
        CLOSED
    }

    /**
     * One policy.
     *
     * @param enabled whether it applies (default true); false switches off a default policy
     * @param limit   requests per window (at least 1)
     * @param window  the window, e.g. 15m; the quota refills smoothly, one request every window / limit
     * @param paths   path patterns it applies to, e.g. /api/** (Spring path patterns)
     * @param methods HTTP methods it applies to (default: all)
     * @param per     client (default), org or ip
     * @param cost    quota units one request takes (default 1, at most the limit)
     */
    public record PolicySettings(@DefaultValue("true") boolean enabled, Integer limit, Duration window, List<String> paths,
                                 List<String> methods, @DefaultValue("client") Per per, @DefaultValue("1") int cost) {
        public PolicySettings {
            paths = paths == null ? List.of() : List.copyOf(paths);
            methods = methods == null ? List.of() : List.copyOf(methods);
        }
    }

    /**
     * While the database cannot be reached no decision can be made; the request is then served (open) or refused
     * with 503 (closed). Reads are GET, HEAD and OPTIONS; writes are every other method.
     *
     * @param reads         open (default) or closed
     * @param writes        open or closed (default)
     * @param probeInterval after a failure, how long requests that would be served get served at once, without
     *                      trying the database (default 2s), so an outage does not add a connection timeout to each;
     *                      requests that would be refused always try it, as only its answer can admit them
     */
    public record OutageSettings(@DefaultValue("open") FailMode reads, @DefaultValue("closed") FailMode writes,
                                 @DefaultValue("2s") Duration probeInterval) {
    }
}
