package io.switchboard.server.http.idempotency;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which requests a setting applies to ({@code switchboard.idempotency.required-for}, {@code checked-at-commit}):
 * {@code "METHOD /path/pattern"} rules.
 */
final class RouteRules {
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

    private record Rule(String method, PathPattern pattern) {
    }

    private final List<Rule> rules;

    private RouteRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** Parses the rules of {@code setting}; a malformed one fails startup with a message naming both. */
    static RouteRules parse(String setting, List<String> specs) {
        return new RouteRules(specs.stream().map(spec -> rule(setting, spec)).toList());
    }

    boolean matches(String method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        return rules.stream().anyMatch(r -> r.method().equals(method) && r.pattern().matches(container));
    }

    private static Rule rule(String setting, String spec) {
        String[] parts = spec == null ? new String[0] : spec.trim().split("\\s+");
        if (parts.length != 2 || !parts[1].startsWith("/")) {
            throw new IllegalArgumentException(setting + ": '" + spec
                    + "' must be \"METHOD /path/pattern\", e.g. \"POST /api/jobs/**\"");
        }
        String method = parts[0].toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException(setting + ": '" + spec
                    + "': the method must be one of " + METHODS + " (only these take idempotency keys)");
        }
        try {
            return new Rule(method, PathPatternParser.defaultInstance.parse(parts[1]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(setting + ": '" + spec
                    + "': invalid path pattern: " + e.getMessage(), e);
        }
    }
}
