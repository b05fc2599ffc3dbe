package io.switchboard.server.webhooks.source;

import io.switchboard.server.webhooks.provider.WebhookProviders;
import io.switchboard.server.webhooks.standard.StandardWebhooksProvider;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What a source may be configured with, checked before anything is written; each refusal names the field. */
final class SourceRules {
    static final int MIN_SECRET = 16;
    static final int MAX_SECRET = 512;
    static final int MAX_SECRETS = 10;
    static final int MAX_OPTIONS = 20;
    static final int MAX_OPTION_VALUE = 200;

    private final WebhookProviders providers;

    SourceRules(WebhookProviders providers) {
        this.providers = providers;
    }

    String provider(String provider) {
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("'provider' is required; one of " + providers.names());
        }
        if (providers.find(provider).isEmpty()) {
            throw new IllegalArgumentException("unknown provider '" + printable(provider) + "'; one of " + providers.names());
        }
        return provider;
    }

    static String name(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("'name' is required, 1 to 200 characters");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("'name' must not contain control characters");
        }
        return name.strip();
    }

    static Map<String, String> options(String provider, Map<String, String> options) {
        Map<String, String> checked = new TreeMap<>(options == null ? Map.of() : options);
        if (checked.size() > MAX_OPTIONS) {
            throw new IllegalArgumentException("'options' may have at most " + MAX_OPTIONS + " entries");
        }
        checked.forEach((key, value) -> {
            if (!key.matches("[a-z][a-z0-9-]{0,39}")) {
                throw new IllegalArgumentException("option name '" + printable(key) + "' must be lower-case letters, digits and '-'");
            }
            if (value == null || value.isEmpty() || value.length() > MAX_OPTION_VALUE || value.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("option '" + key + "' must be 1 to " + MAX_OPTION_VALUE
                        + " characters without control characters");
            }
        });
        switch (provider) {
            case "generic" -> {
                require(checked, provider, "header");
                header(checked, "header");
                oneOf(checked, "algorithm", Set.of("sha256", "sha1", "sha512"));
                oneOf(checked, "encoding", Set.of("hex", "base64"));
                if (checked.containsKey("timestamp-header")) {
                    header(checked, "timestamp-header");
                }
            }
            case "vapi" -> {
                oneOf(checked, "auth", Set.of("secret", "hmac"));
                if (checked.containsKey("header")) {
                    header(checked, "header");
                }
            }
            default -> {
            }
        }
        return Map.copyOf(checked);
    }

    static List<String> secrets(String provider, List<String> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("'secrets' needs at least one secret");
        }
        if (secrets.size() > MAX_SECRETS) {
            throw new IllegalArgumentException("'secrets' may hold at most " + MAX_SECRETS + " secrets");
        }
        for (int i = 0; i < secrets.size(); i++) {
            secret(provider, secrets.get(i), "secrets[" + i + "]");
        }
        if (Set.copyOf(secrets).size() != secrets.size()) {
            throw new IllegalArgumentException("'secrets' holds the same secret twice");
        }
        return List.copyOf(secrets);
    }

    /** Never echoes the secret in a message. */
    static String secret(String provider, String secret, String field) {
        if (secret == null || secret.length() < MIN_SECRET || secret.length() > MAX_SECRET) {
            throw new IllegalArgumentException("'" + field + "' must be " + MIN_SECRET + " to " + MAX_SECRET + " characters");
        }
        if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("'" + field + "' must be printable ASCII without spaces");
        }
        if (provider.equals("standard")) {
            try {
                StandardWebhooksProvider.key(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + field + "': " + e.getMessage());
            }
        }
        return secret;
    }

    private static void require(Map<String, String> options, String provider, String key) {
        if (!options.containsKey(key)) {
            throw new IllegalArgumentException("a " + provider + " source needs option '" + key + "'");
        }
    }

    private static void header(Map<String, String> options, String key) {
        if (!options.get(key).matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")) {
            throw new IllegalArgumentException("option '" + key + "' must be an HTTP header name");
        }
    }

    private static void oneOf(Map<String, String> options, String key, Set<String> allowed) {
        String value = options.get(key);
        if (value != null && !allowed.contains(value)) {
            throw new IllegalArgumentException("option '" + key + "' must be one of " + new java.util.TreeSet<>(allowed)
                    + ", was '" + printable(value) + "'");
        }
    }

    private static String printable(String value) {
        String cut = value.length() > 50 ? value.substring(0, 50) + "..." : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
