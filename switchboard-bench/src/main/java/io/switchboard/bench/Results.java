package io.switchboard.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/** Every measured figure, by metric and system; reports the median of the runs. */
final class Results {

    /** A reported figure: its unit and whether more is better. */
    enum Metric {
        DRAIN("drain", "jobs/s", true, "pre-loaded jobs run to durable completion"),
        LATENCY_P50("latency-p50", "ms", false, "enqueue-to-start, 50th percentile"),
        LATENCY_P99("latency-p99", "ms", false, "enqueue-to-start, 99th percentile"),
        ENQUEUE_SINGLE("enqueue-single", "jobs/s", true, "one job per transaction, concurrent threads"),
        ENQUEUE_BULK("enqueue-bulk", "jobs/s", true, "bulk API, one transaction per batch");

        final String label;
        final String unit;
        final boolean higherIsBetter;
        final String meaning;

        Metric(String label, String unit, boolean higherIsBetter, String meaning) {
            this.label = label;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
            this.meaning = meaning;
        }
    }

    private final Map<Metric, Map<String, List<Double>>> values = new LinkedHashMap<>();
    private final Map<String, String> configurations = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    synchronized void add(Metric metric, String system, double value) {
        values.computeIfAbsent(metric, m -> new LinkedHashMap<>()).computeIfAbsent(system, s -> new ArrayList<>()).add(value);
    }

    synchronized void configuration(String system, String configuration) {
        configurations.putIfAbsent(system, configuration);
    }

    synchronized void note(String note) {
        notes.add(note);
    }

    Double median(Metric metric, String system) {
        List<Double> runs = values.getOrDefault(metric, Map.of()).get(system);
        if (runs == null || runs.isEmpty()) {
            return null;
        }
        List<Double> sorted = runs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    void print(PrintStream out) {
        out.println();
        out.println("== Configurations ==");
        configurations.forEach((system, configuration) -> out.printf("%-28s %s%n", system, configuration));
        for (Metric metric : Metric.values()) {
            Map<String, List<Double>> bySystem = values.get(metric);
            if (bySystem == null) {
                continue;
            }
            out.println();
            out.printf("== %s (%s, %s; %s is better) ==%n", metric.label, metric.unit, metric.meaning,
                    metric.higherIsBetter ? "higher" : "lower");
            out.printf("%-28s %12s  %-34s %16s %16s%n", "system", "median", "runs", "system/switchb.", "system/raw-sql");
            Double switchboard = median(metric, Systems.SWITCHBOARD);
            Double raw = median(metric, Systems.RAW_SQL);
            bySystem.forEach((system, runs) -> {
                double median = median(metric, system);
                out.printf("%-28s %12s  %-34s %16s %16s%n", system, format(median, metric),
                        String.join(" ", runs.stream().map(v -> format(v, metric)).toList()),
                        ratio(median, switchboard), ratio(median, raw));
            });
        }
        if (!notes.isEmpty()) {
            out.println();
            out.println("== Notes ==");
            notes.forEach(note -> out.println("- " + note));
        }
        out.println();
        out.println("== Targets ==");
        target(out, "drain >= 5x db-scheduler", Metric.DRAIN, Systems.DB_SCHEDULER, sb -> peer -> sb >= 5 * peer);
        target(out, "drain >= 5x jobrunr", Metric.DRAIN, Systems.JOBRUNR, sb -> peer -> sb >= 5 * peer);
        target(out, "drain >= 50% of raw-sql", Metric.DRAIN, Systems.RAW_SQL, sb -> raw -> sb >= 0.5 * raw);
        absolute(out, "latency p50 <= 5 ms", Metric.LATENCY_P50, v -> v <= 5);
        absolute(out, "latency p99 <= 25 ms", Metric.LATENCY_P99, v -> v <= 25);
        absolute(out, "bulk enqueue >= 200k jobs/s", Metric.ENQUEUE_BULK, v -> v >= 200_000);
        out.println();
        for (Metric metric : Metric.values()) {
            Map<String, List<Double>> bySystem = values.get(metric);
            if (bySystem == null) {
                continue;
            }
            bySystem.keySet().forEach(system -> out.printf(Locale.ROOT, "BENCH workload=%s system=%s value=%s unit=%s%n",
                    metric.label, system, plain(median(metric, system), metric), metric.unit));
        }
    }

    private void target(PrintStream out, String name, Metric metric, String peer,
                        java.util.function.Function<Double, Predicate<Double>> test) {
        Double sb = median(metric, Systems.SWITCHBOARD);
        Double other = median(metric, peer);
        if (sb == null || other == null) {
            out.printf("%-32s not measured%n", name);
            return;
        }
        boolean met = test.apply(sb).test(other);
        out.printf("%-32s %s (switchboard %s vs %s %s, ratio %.2f)%n", name, met ? "MET" : "MISSED",
                format(sb, metric), peer, format(other, metric), sb / other);
    }

    private void absolute(PrintStream out, String name, Metric metric, Predicate<Double> test) {
        Double sb = median(metric, Systems.SWITCHBOARD);
        if (sb == null) {
            out.printf("%-32s not measured%n", name);
            return;
        }
        out.printf("%-32s %s (switchboard %s %s)%n", name, test.test(sb) ? "MET" : "MISSED", format(sb, metric), metric.unit);
    }

    private static String ratio(double value, Double base) {
        if (base == null || base == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", value / base);
    }

    static String format(double value, Metric metric) {
        return metric.unit.equals("ms") ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String plain(double value, Metric metric) {
        return metric.unit.equals("ms") ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.0f", value);
    }
}
