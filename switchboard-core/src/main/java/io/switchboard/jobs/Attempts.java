package io.switchboard.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;

/**
 * A batch of attempts as statement parameters: their job ids as an array (which drives the statement through
 * the primary key) and their attempt numbers as a JSON object keyed by id (looked up per row in O(log n), where
 * a second array would need a join the generic plan turns into a nested loop over every running job).
 */
record Attempts(Long[] ids, String attemptsById) {

    static Attempts of(Collection<RunningJob> jobs) {
        Long[] ids = new Long[jobs.size()];
        StringBuilder json = new StringBuilder(jobs.size() * 12 + 2).append('{');
        int i = 0;
        for (RunningJob job : jobs) {
            ids[i] = job.id;
            if (i++ > 0) {
                json.append(',');
            }
            json.append('"').append(job.id).append("\":").append(job.attempt);
        }
        return new Attempts(ids, json.append('}').toString());
    }

    /** Binds the ids and the attempts to two parameters of a statement using {@link JobSql#ATTEMPT_FENCE}. */
    void bind(Connection connection, PreparedStatement ps, int idsIndex, int attemptsIndex) throws SQLException {
        ps.setArray(idsIndex, connection.createArrayOf("int8", ids));
        ps.setString(attemptsIndex, attemptsById);
    }
}
