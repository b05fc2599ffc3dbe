package io.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load: each of N platform threads repeats one operation until a deadline. The first failure stops
 * its thread and fails the measurement (a benchmark of wrong answers is no benchmark).
 */
final class ClosedLoop {
    private ClosedLoop() {
    }

    /** One operation of one thread; {@code iteration} counts that thread's operations from 0. */
    @FunctionalInterface
    interface Operation {
        void run(int thread, long iteration) throws Exception;
    }

    /** Operations completed and the seconds they took. */
    record Result(long operations, double seconds) {
        double perSecond() {
            return operations / seconds;
        }
    }

    static Result run(int threads, Duration duration, String what, Operation operation) throws InterruptedException {
        LongAdder done = new LongAdder();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(Thread.ofPlatform().start(() -> {
                for (long i = 0; System.nanoTime() < deadline; i++) {
                    try {
                        operation.run(thread, i);
                        done.increment();
                    } catch (Exception e) {
                        failures.add(e);
                        return;
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(what + " failed", failures.getFirst());
        }
        return new Result(done.sum(), seconds);
    }

    /** The median of several runs' figures (the middle one of an odd count, the upper middle of an even count). */
    static double median(double[] runs) {
        double[] sorted = runs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
