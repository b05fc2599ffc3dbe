package io.switchboard.jobs;

import io.switchboard.db.SchemaMigration;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.switchboard.jobs.JobTesting.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batched statements on running attempts change exactly the attempts a worker holds, and nothing else. */
class AttemptFenceTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(4);
        SchemaMigration.migrate(ds);
    }

    @BeforeEach
    void emptyQueue() {
        execute(ds, "TRUNCATE switchboard.jobs");
    }

    @Test
    void batchedCompletionCompletesOnlyTheAttemptsThisWorkerHolds() throws SQLException {
        long first = running("w1", 1);
        long retried = running("w1", 3);
        long reclaimedSinceByThisWorker = running("w1", 2);
        long otherWorkers = running("w2", 1);
        long alreadyFailed = running("w1", 1);
        execute(ds, "UPDATE switchboard.jobs SET state = 'available', lease_expires_at = NULL WHERE id = " + alreadyFailed);

        List<RunningJob> batch = List.of(job(first, 1, "w1"), job(retried, 3, "w1"),
                job(reclaimedSinceByThisWorker, 1, "w1"), job(otherWorkers, 1, "w1"), job(alreadyFailed, 1, "w1"));
        int updated;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(JobSql.COMPLETE_MANY)) {
            Attempts.of(batch).bind(c, ps, 1, 2);
            ps.setString(3, "w1");
            updated = ps.executeUpdate();
        }

        assertThat(updated).isEqualTo(2);
        assertThat(states()).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                first, "completed", retried, "completed", reclaimedSinceByThisWorker, "running",
                otherWorkers, "running", alreadyFailed, "available")));
    }

    @Test
    void heartbeatRenewsHeldAttemptsAndLeavesOutTheLostOnes() throws SQLException {
        long held = running("w1", 2);
        long lost = running("w1", 2);
        List<Long> renewed = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(JobSql.HEARTBEAT)) {
            ps.setLong(1, 60_000);
            Attempts.of(List.of(job(held, 2, "w1"), job(lost, 1, "w1"))).bind(c, ps, 2, 3);
            ps.setString(4, "w1");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    renewed.add(rs.getLong(1));
                }
            }
        }
        assertThat(renewed).containsExactly(held);
    }

    @Test
    void aRunningJobWithoutALeaseCannotExist() throws SQLException {
        long id = running("w1", 1);
        assertThatThrownBy(() -> execute(ds, "UPDATE switchboard.jobs SET lease_expires_at = NULL WHERE id = " + id))
                .hasStackTraceContaining("jobs_lease_iff_running");
        assertThatThrownBy(() -> execute(ds, "UPDATE switchboard.jobs SET state = 'completed' WHERE id = " + id))
                .hasStackTraceContaining("jobs_lease_iff_running");
        assertThat(states()).containsEntry(id, "running");
    }

    private static long running(String worker, int attempt) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO switchboard.jobs (queue, kind, args, state, attempt, max_attempts, worker_id, lease_expires_at)
                VALUES ('q', 'k', '{}', 'running', ?, 5, ?, now() + interval '1 minute') RETURNING id
                """)) {
            ps.setInt(1, attempt);
            ps.setString(2, worker);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static RunningJob job(long id, int attempt, String worker) {
        return new RunningJob(id, "k", "q", attempt, 5, "{}", false, 0, worker, ds);
    }

    private static Map<Long, String> states() throws SQLException {
        Map<Long, String> states = new TreeMap<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id, state FROM switchboard.jobs");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                states.put(rs.getLong(1), rs.getString(2));
            }
        }
        return states;
    }
}
