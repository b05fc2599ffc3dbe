package io.switchboard.jobs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The claimed jobs of one {@link BatchJobHandler}'s kind waiting for a run: at most {@code concurrentRuns} runs at
 * once, each taking every waiting job up to {@code maxJobsPerRun}. A run starts as soon as a job arrives and a
 * run is free; while all runs are busy, jobs gather for the next.
 */
final class JobBatches {
    private final int maxJobsPerRun;
    private final int concurrentRuns;
    private final Consumer<List<RunningJob>> startRun;
    private final Consumer<Boolean> runFreed;
    private final ArrayDeque<RunningJob> waiting = new ArrayDeque<>();
    private int running;

    /**
     * @param startRun starts a run of the given jobs on another thread and calls {@link #runEnded(int)} when it ends
     * @param runFreed called (outside any lock) when a run ended and none took its place, with true when the run had
     *                 several jobs (under load: claim at once, more jobs are likely ready) and false after a run of
     *                 one (claim when woken)
     */
    JobBatches(BatchJobHandler<?> handler, Consumer<List<RunningJob>> startRun, Consumer<Boolean> runFreed) {
        this.maxJobsPerRun = Math.max(1, handler.maxJobsPerRun());
        this.concurrentRuns = Math.max(1, handler.concurrentRuns());
        this.startRun = startRun;
        this.runFreed = runFreed;
    }

    synchronized boolean hasFreeRun() {
        return running < concurrentRuns;
    }

    void add(List<RunningJob> jobs) {
        List<List<RunningJob>> runs;
        synchronized (this) {
            waiting.addAll(jobs);
            runs = takeRuns();
        }
        runs.forEach(startRun);
    }

    /** A run of {@code size} jobs ended. */
    void runEnded(int size) {
        List<List<RunningJob>> runs;
        synchronized (this) {
            running--;
            runs = takeRuns();
        }
        runs.forEach(startRun);
        if (runs.isEmpty()) {
            // Under load, the wake-ups (NOTIFYs) of the jobs committed during the run may arrive late: do not wait.
            runFreed.accept(size > 1);
        }
    }

    private List<List<RunningJob>> takeRuns() {
        List<List<RunningJob>> runs = new ArrayList<>(1);
        while (running < concurrentRuns && !waiting.isEmpty()) {
            List<RunningJob> run = new ArrayList<>(Math.min(waiting.size(), maxJobsPerRun));
            while (run.size() < maxJobsPerRun && !waiting.isEmpty()) {
                run.add(waiting.poll());
            }
            running++;
            runs.add(run);
        }
        return runs;
    }
}
