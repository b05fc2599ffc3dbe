package io.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name=value} arguments of the stand-alone benchmarks (lease, rate limit, idempotency, webhooks). */
final class BenchArgs {
    private BenchArgs() {
    }

    /** The value of the first argument starting with {@code prefix} (e.g. {@code --runs=}), or {@code fallback}. */
    static String value(String[] args, String prefix, String fallback) {
        for (String arg : args) {
            if (arg.startsWith(prefix)) {
                return arg.substring(prefix.length());
            }
        }
        return fallback;
    }

    static int intValue(String[] args, String prefix, int fallback) {
        String value = value(args, prefix, null);
        return value == null ? fallback : Integer.parseInt(value);
    }

    /** A comma-separated value as a list. */
    static List<String> list(String[] args, String prefix, List<String> fallback) {
        String value = value(args, prefix, null);
        return value == null ? fallback : List.of(value.split(","));
    }

    /** {@code defaults} overridden and extended by every {@code --pg-setting=name=value}, in order. */
    static Map<String, String> pgSettings(String[] args, Map<String, String> defaults) {
        Map<String, String> settings = new LinkedHashMap<>(defaults);
        String prefix = "--pg-setting=";
        for (String arg : args) {
            int eq = arg.indexOf('=', prefix.length());
            if (arg.startsWith(prefix) && eq > prefix.length()) {
                settings.put(arg.substring(prefix.length(), eq), arg.substring(eq + 1));
            }
        }
        return settings;
    }
}
