package io.switchboard.lock;

import io.switchboard.db.SchemaMigration;
import io.switchboard.jobs.WorkerJvms;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KilledLeaseHolderTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @Test
    void holderKilledWithSigkillLosesItsLeaseAfterTheTtlAndTheNextTokenIsHigher() throws Exception {
        DataSource ds = db.dataSource(5);
        SchemaMigration.migrate(ds);
        try (WorkerJvms jvms = new WorkerJvms(); Leases mine = new Leases(ds, "test")) {
            Process holder = jvms.start(LeaseHolderProcess.class.getName(), "lease-holder", Map.of(),
                    db.jdbcUrl(), "payments-sync", "2000");
            Thread.sleep(2_500); // past one TTL: only its keep-alive keeps it
            LeaseInfo held = mine.find("payments-sync").orElseThrow();
            assertThat(held.held()).isTrue();
            assertThat(mine.tryAcquire("payments-sync", LeaseOptions.fixed(Duration.ofSeconds(5)))).isEmpty();

            WorkerJvms.kill(holder);
            assertThat(mine.tryAcquire("payments-sync", LeaseOptions.fixed(Duration.ofSeconds(5))))
                    .as("still held until its TTL runs out").isEmpty();
            Lease next = mine.acquire("payments-sync", LeaseOptions.fixed(Duration.ofSeconds(5)), Duration.ofSeconds(5));
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        }
    }
}
