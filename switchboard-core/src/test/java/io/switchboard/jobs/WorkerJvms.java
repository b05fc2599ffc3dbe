package io.switchboard.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starts test JVMs (real processes) and kills them with SIGKILL. */
public final class WorkerJvms implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    Process start(String jdbcUrl, String instanceId, int concurrency, long leaseMillis, long workMillis, boolean transactional)
            throws IOException, InterruptedException {
        return start(WorkerProcess.class.getName(), instanceId, java.util.Map.of(), jdbcUrl, instanceId,
                Integer.toString(concurrency), Long.toString(leaseMillis), Long.toString(workMillis), Boolean.toString(transactional));
    }

    /**
     * Starts {@code mainClass} with the test class path in a JVM of its own, with extra environment variables,
     * and waits until it prints a line starting with READY.
     */
    public Process start(String mainClass, String name, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = Files.createTempFile("jvm-" + name + "-", ".log");
        logs.add(log);
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Files.writeString(log, line + System.lineSeparator(), StandardOpenOption.APPEND);
                    if (line.startsWith("READY")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
            ready.complete(false);
        });
        try {
            if (!ready.get(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " exited before it was ready; log: " + Files.readString(log));
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(name + " did not start; log: " + Files.readString(log), e);
        }
        return process;
    }

    /** SIGKILL: no shutdown hook, no graceful stop, no chance to release anything. */
    public static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Graceful: close stdin, the worker stops and exits. */
    public static void stopGracefully(Process process) throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
        logs.forEach(log -> log.toFile().delete());
    }
}
