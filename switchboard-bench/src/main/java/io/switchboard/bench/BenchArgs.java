package io.switchboard.bench;

import java.util.List;

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
}
