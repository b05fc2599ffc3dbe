package io.switchboard.jobs;

import io.switchboard.db.SchemaMigration;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.switchboard.jobs.JobTesting.execute;

/**
 * Engines on the shared test database: an empty queue and an empty {@code effects (job_id bigint, note text)} table
 * before each test, every engine a test started stopped after it.
 */
abstract class EngineTestBase {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    static DataSource ds;
    private final List<JobEngine> engines = new ArrayList<>();

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(30);
        SchemaMigration.migrate(ds);
    }

    @BeforeEach
    void emptyQueue() {
        execute(ds, "TRUNCATE switchboard.jobs");
        execute(ds, "CREATE TABLE IF NOT EXISTS effects (job_id bigint, note text)");
        execute(ds, "TRUNCATE effects");
    }

    @AfterEach
    void stopEngines() {
        engines.forEach(e -> e.stop(Duration.ofSeconds(5)));
    }

    /** Builds, starts and keeps {@code builder}'s engine (stopped after the test). */
    JobEngine started(JobEngine.Builder builder) {
        JobEngine engine = builder.build();
        engines.add(engine);
        engine.start();
        return engine;
    }

    /** Builds and keeps {@code builder}'s engine without starting its workers. */
    JobEngine kept(JobEngine.Builder builder) {
        JobEngine engine = builder.build();
        engines.add(engine);
        return engine;
    }
}
