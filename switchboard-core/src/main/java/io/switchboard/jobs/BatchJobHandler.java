package io.switchboard.jobs;

import java.util.List;

/**
 * Runs jobs of one kind several at a time: ready jobs of the kind that this instance claimed wait until one of
 * at most {@link #concurrentRuns()} runs is free, and the next run takes all of them (up to
 * {@link #maxJobsPerRun()}). At low load a run is one job started at once; under load runs grow by themselves
 * while the previous ones are under way, so work that costs the same per run whatever its size (a transaction, a
 * commit, a lookup) is shared by many jobs. Register it like any {@link JobHandler}.
 *
 * <p>Returning normally completes every job of the run; throwing fails every job of the run, each after its own
 * retry policy and attempt count ({@link PermanentJobFailure} dead-letters them). A handler that can tell which job
 * failed should record that itself and complete the others ({@link BatchContext#completeInTransaction}).
 *
 * <p>The queue's {@linkplain QueueOptions#concurrency() concurrency} still bounds the jobs this instance holds
 * (running or waiting for a run), so it also bounds a run's size.
 *
 * @param <T> the arguments' type
 */
public interface BatchJobHandler<T> extends JobHandler<T> {
    /** Does the work of one attempt of every job in {@code jobs} (never empty, ordered as claimed). */
    void handleBatch(List<BatchedJob<T>> jobs, BatchContext context) throws Exception;

    /** The most jobs one run takes; 100 unless overridden. */
    default int maxJobsPerRun() {
        return 100;
    }

    /** Runs of this kind at once on one instance; 1 unless overridden. */
    default int concurrentRuns() {
        return 1;
    }

    /** Runs a single job as a run of one: what the engine does when only one is ready. */
    @Override
    default void handle(T args, JobContext context) throws Exception {
        handleBatch(List.of(new BatchedJob<>(context.jobId(), context.attempt(), context.maxAttempts(), args)),
                new BatchContext() {
                    @Override
                    public String kind() {
                        return context.kind();
                    }

                    @Override
                    public String queue() {
                        return context.queue();
                    }

                    @Override
                    public boolean isCancellationRequested() {
                        return context.isCancellationRequested();
                    }

                    @Override
                    public <R> R completeInTransaction(JobContext.TransactionalWork<R> work) throws Exception {
                        return context.completeInTransaction(work);
                    }
                });
    }
}
