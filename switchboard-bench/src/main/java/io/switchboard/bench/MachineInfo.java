package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the figures were measured on. */
final class MachineInfo {
    private MachineInfo() {
    }

    static List<String> describe(String postgresVersion, String postgresSettings) {
        Runtime runtime = Runtime.getRuntime();
        return List.of(
                "cpu:      " + runtime.availableProcessors() + " cores available to the JVM"
                        + procLine("/proc/cpuinfo", "model name").map(m -> " (" + m + ")").orElse(""),
                "memory:   " + procLine("/proc/meminfo", "MemTotal").map(MachineInfo::gibibytes).orElse("unknown")
                        + ", JVM max heap " + runtime.maxMemory() / (1024 * 1024) + " MiB",
                "os:       " + osRelease().orElse(System.getProperty("os.name")) + ", kernel " + System.getProperty("os.version")
                        + " (" + System.getProperty("os.arch") + ")",
                "java:     " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + Runtime.version(),
                "postgres: " + postgresVersion + " (embedded, same machine; " + postgresSettings + ")");
    }

    private static Optional<String> procLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String gibibytes(String memTotal) {
        try {
            long kib = Long.parseLong(memTotal.replaceAll("[^0-9]", ""));
            return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
        } catch (NumberFormatException e) {
            return memTotal;
        }
    }

    private static Optional<String> osRelease() {
        try {
            return Files.readAllLines(Path.of("/etc/os-release")).stream()
                    .filter(line -> line.startsWith("PRETTY_NAME="))
                    .map(line -> line.substring("PRETTY_NAME=".length()).replace("\"", ""))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
