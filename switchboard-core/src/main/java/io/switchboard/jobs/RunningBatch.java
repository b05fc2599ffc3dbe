package io.switchboard.jobs;

import io.switchboard.db.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One run of a {@link BatchJobHandler}: its claimed attempts and the {@link BatchContext} its handler sees. */
final class RunningBatch implements BatchContext {
    private static final String COMPLETE = JobSql.COMPLETE_MANY + " RETURNING j.id";

    private final List<RunningJob> jobs;
    private final String workerId;
    private final DataSource dataSource;

    RunningBatch(List<RunningJob> jobs, String workerId, DataSource dataSource) {
        this.jobs = List.copyOf(jobs);
        this.workerId = workerId;
        this.dataSource = dataSource;
    }

    @Override
    public String kind() {
        return jobs.getFirst().kind;
    }

    @Override
    public String queue() {
        return jobs.getFirst().queue;
    }

    @Override
    public boolean isCancellationRequested() {
        return jobs.stream().anyMatch(j -> j.leaseLost || j.releasing);
    }

    @Override
    public <R> R completeInTransaction(JobContext.TransactionalWork<R> work) throws Exception {
        if (jobs.stream().anyMatch(j -> j.completedInTransaction)) {
            throw new IllegalStateException("the run of jobs " + jobs.stream().map(j -> j.id).toList()
                    + " was already completed in a transaction");
        }
        try (Connection connection = dataSource.getConnection()) {
            R result = Transactions.inTransaction(connection, c -> {
                R value = work.run(c);
                Set<Long> completed = new HashSet<>();
                try (PreparedStatement ps = c.prepareStatement(COMPLETE)) {
                    Attempts.of(jobs).bind(c, ps, 1, 2);
                    ps.setString(3, workerId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            completed.add(rs.getLong(1));
                        }
                    }
                }
                for (RunningJob job : jobs) {
                    if (!completed.contains(job.id)) {
                        throw new LeaseLostException(job.id, job.attempt);
                    }
                }
                return value;
            });
            jobs.forEach(j -> j.completedInTransaction = true);
            return result;
        }
    }
}
