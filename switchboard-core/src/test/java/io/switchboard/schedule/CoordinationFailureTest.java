package io.switchboard.schedule;

import io.switchboard.Switchboard;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.BooleanSupplier;

class CoordinationFailureTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.dedicated();

    @Test
    void withTheDatabaseDownOnlyRunLocallySchedulesRunAndBothResumeAfterwards() throws Exception {
        DataSource ds = db.dataSource(10);
        AtomicInteger failOpen = new AtomicInteger();
        AtomicInteger failClosed = new AtomicInteger();
        try (Switchboard sb = Switchboard.builder(ds).scheduleTick(Duration.ofMillis(50))
                .schedule(Schedule.every("cache-warmup", Duration.ofMillis(500), ctx -> failOpen.incrementAndGet())
                        .withCoordinationFailure(CoordinationFailure.RUN_LOCALLY))
                .schedule(Schedule.every("invoice-run", Duration.ofMillis(500), ctx -> failClosed.incrementAndGet()))
                .build().start()) {
            Thread.sleep(1_500);
            assertThat(failOpen.get()).isPositive();
            assertThat(failClosed.get()).isPositive();

            db.stopServer();
            Thread.sleep(1_000); // a run already claimed before the stop may still finish
            int openBefore = failOpen.get();
            int closedBefore = failClosed.get();
            await("RUN_LOCALLY keeps running without the database", () -> failOpen.get() - openBefore >= 3);
            assertThat(failClosed.get()).as("SKIP runs nothing without the database").isEqualTo(closedBefore);

            db.startServer();
            await("coordinated runs resume after the outage", () -> failClosed.get() > closedBefore);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
