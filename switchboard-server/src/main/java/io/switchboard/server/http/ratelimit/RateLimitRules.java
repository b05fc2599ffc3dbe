package io.switchboard.server.http.ratelimit;

import io.switchboard.limit.RateLimit;
import io.switchboard.server.http.ratelimit.RateLimitProperties.Per;
import io.switchboard.server.http.ratelimit.RateLimitProperties.PolicySettings;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The validated policies of {@code switchboard.rate-limit}: which apply to a request, by path and method. Building
 * one checks every setting and refuses the first invalid one with a message naming it.
 */
final class RateLimitRules {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("switchboard.rate-limit");

    /** One policy ready to apply. */
    record Rule(RateLimit limit, List<PathPattern> paths, Set<String> methods, Per per, int cost) {
        boolean matches(String method, PathContainer path) {
            if (!methods.isEmpty() && !methods.contains(method)) {
                return false;
            }
            for (PathPattern pattern : paths) {
                if (pattern.matches(path)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Rule> rules;
    private final List<PathPattern> exclude;

    private RateLimitRules(List<Rule> rules, List<PathPattern> exclude) {
        this.rules = List.copyOf(rules);
        this.exclude = List.copyOf(exclude);
    }

    /** Validates {@code properties} (and refuses unknown settings in {@code environment}, if given). */
    static RateLimitRules from(RateLimitProperties properties, Environment environment) {
        if (environment != null) {
            refuseUnknownSettings(environment);
        }
        List<Rule> rules = new ArrayList<>();
        properties.policies().forEach((name, settings) -> {
            Rule rule = rule(name, settings);
            if (rule != null) {
                rules.add(rule);
            }
        });
        List<PathPattern> exclude = new ArrayList<>();
        for (String pattern : properties.exclude()) {
            exclude.add(pattern("switchboard.rate-limit.exclude", pattern));
        }
        Duration probe = properties.onDatabaseUnavailable().probeInterval();
        if (probe == null || probe.isNegative()) {
            throw new InvalidRateLimitConfigurationException(
                    "Invalid switchboard.rate-limit.on-database-unavailable.probe-interval: must not be negative, was " + probe);
        }
        return new RateLimitRules(rules, exclude);
    }

    /** The enabled policies, in configuration order. */
    List<Rule> rules() {
        return rules;
    }

    /** The policies that apply to a request: none on excluded paths, else those matching method and path. */
    List<Rule> matching(String method, PathContainer path) {
        for (PathPattern pattern : exclude) {
            if (pattern.matches(path)) {
                return List.of();
            }
        }
        List<Rule> matching = new ArrayList<>(2);
        for (Rule rule : rules) {
            if (rule.matches(method, path)) {
                matching.add(rule);
            }
        }
        return matching;
    }

    private static Rule rule(String name, PolicySettings s) {
        String where = "switchboard.rate-limit.policies." + name;
        if (s == null) {
            throw invalid(where, "no settings");
        }
        if (!s.enabled()) {
            return null;
        }
        if (s.limit() == null) {
            throw invalid(where, "'limit' is missing (requests per window, e.g. 100)");
        }
        if (s.window() == null) {
            throw invalid(where, "'window' is missing (e.g. 15m)");
        }
        RateLimit limit;
        try {
            limit = RateLimit.of(name, s.limit(), s.window());
        } catch (IllegalArgumentException e) {
            throw invalid(where, e.getMessage());
        }
        if (s.paths().isEmpty()) {
            throw invalid(where, "'paths' is missing (path patterns such as /api/**)");
        }
        List<PathPattern> paths = new ArrayList<>();
        for (String path : s.paths()) {
            paths.add(pattern(where + ".paths", path));
        }
        Set<String> methods = new LinkedHashSet<>();
        for (String method : s.methods()) {
            String upper = method == null ? "" : method.trim().toUpperCase(Locale.ROOT);
            if (!METHODS.contains(upper)) {
                throw invalid(where + ".methods", "unknown HTTP method '" + method + "'; known: " + new TreeSet<>(METHODS));
            }
            methods.add(upper);
        }
        if (s.cost() < 1 || s.cost() > s.limit()) {
            throw invalid(where + ".cost", "must be from 1 to the limit (" + s.limit() + "), was " + s.cost());
        }
        return new Rule(limit, List.copyOf(paths), Set.copyOf(methods), s.per(), s.cost());
    }

    private static PathPattern pattern(String where, String pattern) {
        if (pattern == null || pattern.isBlank() || !pattern.startsWith("/")) {
            throw invalid(where, "path pattern must start with '/', was '" + pattern + "'");
        }
        try {
            return PathPatternParser.defaultInstance.parse(pattern);
        } catch (PatternParseException e) {
            throw invalid(where, "path pattern '" + pattern + "' is invalid: " + e.getMessage());
        }
    }

    private static InvalidRateLimitConfigurationException invalid(String where, String why) {
        return new InvalidRateLimitConfigurationException("Invalid " + where + ": " + why);
    }

    /** Spring ignores a misspelt setting; a limit that silently does not apply is worse than a refused start. */
    private static void refuseUnknownSettings(Environment environment) {
        Set<String> top = uniform(RateLimitProperties.class);
        Set<String> policy = uniform(PolicySettings.class);
        Set<String> outage = uniform(RateLimitProperties.OutageSettings.class);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> {
                String first = name.getElement(2, Form.UNIFORM);
                if (!top.contains(first)) {
                    throw unknown(name, name.getElement(2, Form.ORIGINAL), RateLimitProperties.class);
                }
                if (first.equals("policies") && name.getNumberOfElements() > 4
                        && !policy.contains(name.getElement(4, Form.UNIFORM))) {
                    throw unknown(name, name.getElement(4, Form.ORIGINAL), PolicySettings.class);
                }
                if (first.equals("ondatabaseunavailable") && name.getNumberOfElements() > 3
                        && !outage.contains(name.getElement(3, Form.UNIFORM))) {
                    throw unknown(name, name.getElement(3, Form.ORIGINAL), RateLimitProperties.OutageSettings.class);
                }
            });
        }
    }

    private static InvalidRateLimitConfigurationException unknown(ConfigurationPropertyName name, String setting,
                                                                  Class<? extends Record> type) {
        return new InvalidRateLimitConfigurationException("Invalid " + name + ": unknown setting '" + setting
                + "'; known settings there: " + dashed(type));
    }

    /** Field names as Spring compares them: lower case, letters and digits only. */
    private static Set<String> uniform(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> c.getName().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    private static List<String> dashed(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT)).toList();
    }

    @Override
    public String toString() {
        return rules.stream().map(r -> r.limit().name() + "=" + r.limit().limit() + "/" + RateLimitFilter.human(r.limit().window()) + " on "
                + r.paths() + (r.methods().isEmpty() ? "" : " " + r.methods()) + " per " + r.per().name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }
}
