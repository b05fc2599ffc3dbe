package io.switchboard.jobs;

import io.switchboard.db.SchemaMigration;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.switchboard.jobs.JobTesting.await;
import static io.switchboard.jobs.JobTesting.count;
import static io.switchboard.jobs.JobTesting.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** Real worker JVMs, real SIGKILL, one real PostgreSQL. */
class CrashRecoveryTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private WorkerJvms jvms;
    private JobEngine producer;

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(5);
        SchemaMigration.migrate(ds);
    }

    @BeforeEach
    void setUp() {
        execute(ds, "TRUNCATE switchboard.jobs");
        execute(ds, "CREATE TABLE IF NOT EXISTS starts (job_id bigint NOT NULL, worker text NOT NULL)");
        execute(ds, "CREATE TABLE IF NOT EXISTS effects (job_id bigint NOT NULL, worker text NOT NULL)");
        execute(ds, "TRUNCATE starts, effects");
        jvms = new WorkerJvms();
        producer = JobEngine.builder(ds).declare(WorkerProcess.WORK).build();
    }

    @AfterEach
    void tearDown() {
        jvms.close();
    }

    private void enqueue(int jobs) {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            requests.add(JobRequest.of(WorkerProcess.WORK, new JobTesting.Payload("job", i)));
        }
        producer.queue().enqueueAll(requests);
    }

    @Test
    void workerKilledMidJobHasItsJobsFinishedByAnotherWorkerWithNoLossAndNoDoubleEffect() throws Exception {
        enqueue(30);
        Process victim = jvms.start(db.jdbcUrl(), "victim", 10, 1_000, 1_500, true);
        await("victim mid-job", Duration.ofSeconds(30), () -> count(ds, "SELECT count(*) FROM starts WHERE worker = 'victim'") >= 10);
        WorkerJvms.kill(victim);
        long runningOnVictim = count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'running' AND worker_id = 'victim'");
        assertThat(runningOnVictim).as("jobs held by the killed worker").isPositive();

        Process survivor = jvms.start(db.jdbcUrl(), "survivor", 10, 1_000, 50, true);
        await("every job completed", Duration.ofSeconds(60),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == 30);

        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).as("no job lost").isEqualTo(30);
        assertThat(count(ds, "SELECT count(*) FROM effects")).as("each effect applied once").isEqualTo(30);
        assertThat(count(ds, "SELECT count(DISTINCT job_id) FROM effects")).isEqualTo(30);
        assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs WHERE errors::text LIKE '%lease expired: worker victim%'"))
                .as("rescued jobs record why").isEqualTo(runningOnVictim);
        WorkerJvms.stopGracefully(survivor);
    }

    @Test
    void threeWorkerJvmsDrainOneQueueWithNoJobRunTwice() throws Exception {
        int jobs = 3_000;
        List<Process> workers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            workers.add(jvms.start(db.jdbcUrl(), "w" + i, 8, 15_000, 2, false));
        }
        enqueue(jobs);
        await("drained", Duration.ofSeconds(120),
                () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == jobs);

        assertThat(count(ds, "SELECT count(*) FROM starts")).as("every job claimed exactly once").isEqualTo(jobs);
        assertThat(count(ds, "SELECT count(*) FROM effects")).as("every job run to completion once").isEqualTo(jobs);
        assertThat(count(ds, "SELECT count(DISTINCT job_id) FROM effects")).isEqualTo(jobs);
        assertThat(count(ds, "SELECT count(DISTINCT worker) FROM effects")).as("all three took part").isEqualTo(3);
        for (Process worker : workers) {
            WorkerJvms.stopGracefully(worker);
            assertThat(worker.exitValue()).isZero();
        }
    }
}
