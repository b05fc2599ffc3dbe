package io.switchboard.bench;

import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;

/** The benchmark's no-op job in JobRunr: a {@link JobRequest} carrying the job's sequence number. */
public class JobRunrPing implements JobRequest {
    private long sequence;

    /** For JSON deserialisation. */
    public JobRunrPing() {
    }

    JobRunrPing(long sequence) {
        this.sequence = sequence;
    }

    /** The workload's number for this job. */
    public long getSequence() {
        return sequence;
    }

    @Override
    public Class<Handler> getJobRequestHandler() {
        return Handler.class;
    }

    /** Runs a {@link JobRunrPing}: tells the workload it started. */
    public static final class Handler implements JobRequestHandler<JobRunrPing> {
        private final QueueSystem.JobSink sink;

        Handler(QueueSystem.JobSink sink) {
            this.sink = sink;
        }

        @Override
        public void run(JobRunrPing ping) {
            sink.started(ping.getSequence());
        }
    }
}
