package io.switchboard.jobs;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A job the caller inserts with a statement of its own, made by {@link JobQueue#embed}: the job and the caller's
 * rows are then written by one statement, in one round trip. {@link #SQL} is the job's
 * {@code INSERT ... RETURNING id, state, queue, ...}, meant as a data-modifying {@code WITH} query of the caller's
 * statement; its {@value #PARAMETERS} parameters are bound by {@link #bind}:
 * <pre>{@code
 * String sql = "WITH job AS (" + EmbeddedJob.SQL + ") INSERT INTO orders (id, job_id) SELECT ?, id FROM job";
 * EmbeddedJob job = jobs.embed(JobRequest.of(SHIP, new Ship(42)));
 * try (PreparedStatement ps = connection.prepareStatement(sql)) {
 *     int next = job.bind(ps, 1);
 *     ps.setLong(next, 42);
 *     ps.executeUpdate();
 * }
 * job.inserted();
 * }</pre>
 * The job exists if and only if the caller's transaction commits. A job available at once also sends its queue's
 * NOTIFY, delivered at that commit, so the workers of every instance wake. A job whose unique key is held by an
 * unfinished job is not inserted and the query returns no row ({@link JobQueue#enqueue(JobRequest)} resolves such a
 * duplicate with a second statement; one statement cannot).
 */
public final class EmbeddedJob {
    /**
     * The job's insert, for a {@code WITH} query: returns the columns {@code id}, {@code state} and {@code queue}
     * (and the result of its NOTIFY, not meant to be read).
     */
    public static final String SQL = JobSql.INSERT_NOTIFYING.strip();
    /** How many parameters {@link #SQL} has, bound in order by {@link #bind}. */
    public static final int PARAMETERS = JobQueue.Prepared.PARAMETERS;

    private final JobQueue.Prepared job;
    private final JobMetrics metrics;

    EmbeddedJob(JobQueue.Prepared job, JobMetrics metrics) {
        this.job = job;
        this.metrics = metrics;
    }

    /**
     * Binds the job to {@link #SQL}'s parameters, which are the statement's parameters {@code first} to
     * {@code first + PARAMETERS - 1}.
     *
     * @return the index of the statement's next parameter
     */
    public int bind(PreparedStatement statement, int first) throws SQLException {
        return job.bind(statement, first);
    }

    /** Counts the job in the enqueued metric; call it once the statement has inserted it. */
    public void inserted() {
        metrics.enqueued(job.queue(), job.kind(), 1);
    }

    /** The queue the job goes to. */
    public String queue() {
        return job.queue();
    }

    /** The job's kind. */
    public String kind() {
        return job.kind();
    }
}
