package io.switchboard.server.http.idempotency;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Which requests must carry an {@code Idempotency-Key}: {@code "METHOD /path/pattern"} rules. */
final class RequiredKeyRules {
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

    private record Rule(String method, PathPattern pattern) {
    }

    private final List<Rule> rules;

    private RequiredKeyRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** Parses the rules; a malformed one fails startup with a message naming it. */
    static RequiredKeyRules parse(List<String> specs) {
        return new RequiredKeyRules(specs.stream().map(RequiredKeyRules::rule).toList());
    }

    boolean requires(String method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        return rules.stream().anyMatch(r -> r.method().equals(method) && r.pattern().matches(container));
    }

    private static Rule rule(String spec) {
        String[] parts = spec == null ? new String[0] : spec.trim().split("\\s+");
        if (parts.length != 2 || !parts[1].startsWith("/")) {
            throw new IllegalArgumentException("switchboard.idempotency.required-for: '" + spec
                    + "' must be \"METHOD /path/pattern\", e.g. \"POST /api/admin/**\"");
        }
        String method = parts[0].toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("switchboard.idempotency.required-for: '" + spec
                    + "': the method must be one of " + METHODS + " (only these take idempotency keys)");
        }
        try {
            return new Rule(method, PathPatternParser.defaultInstance.parse(parts[1]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("switchboard.idempotency.required-for: '" + spec
                    + "': invalid path pattern: " + e.getMessage(), e);
        }
    }
}
