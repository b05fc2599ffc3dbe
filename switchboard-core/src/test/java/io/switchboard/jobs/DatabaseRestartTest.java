package io.switchboard.jobs;

import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.switchboard.jobs.JobTesting.PAYLOAD;
import static io.switchboard.jobs.JobTesting.Payload;
import static io.switchboard.jobs.JobTesting.await;
import static io.switchboard.jobs.JobTesting.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseRestartTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.dedicated();

    @Test
    void workersRecoverFromADatabaseRestartWithoutARestartOfTheirOwn() throws Exception {
        DataSource ds = db.dataSource(10);
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        AtomicBoolean slow = new AtomicBoolean(true);
        try (JobEngine engine = JobTesting.fastEngine(ds)
                .queue(QueueOptions.defaults(QueueOptions.DEFAULT_QUEUE).withLeaseDuration(Duration.ofSeconds(2))
                        .withPollInterval(Duration.ofMillis(500)))
                .handler(PAYLOAD, (args, ctx) -> {
                    if (slow.get() && args.n() == 0) {
                        Thread.sleep(1_500); // still running when the database goes away
                    }
                    done.add(args.n());
                })
                .build()) {
            engine.start();
            for (int i = 0; i < 20; i++) {
                engine.queue().enqueue(PAYLOAD, new Payload("before", i));
            }
            Thread.sleep(300);

            db.stopServer();
            assertThatThrownBy(() -> engine.queue().enqueue(PAYLOAD, new Payload("during", -1)))
                    .isInstanceOf(JobQueueException.class);
            Thread.sleep(2_000);
            db.startServer();

            for (int i = 20; i < 40; i++) {
                engine.queue().enqueue(PAYLOAD, new Payload("after", i));
            }
            await("all 40 jobs completed after the restart", Duration.ofSeconds(60),
                    () -> count(ds, "SELECT count(*) FROM switchboard.jobs WHERE state = 'completed'") == 40);
            assertThat(done).hasSize(40);
            assertThat(count(ds, "SELECT count(*) FROM switchboard.jobs")).isEqualTo(40);

            // Wake-ups through LISTEN/NOTIFY work again too, not only polling: a new job starts fast.
            long start = System.nanoTime();
            long id = engine.queue().enqueue(PAYLOAD, new Payload("fresh", 100)).id();
            await("fresh job done", Duration.ofSeconds(10), () -> engine.queue().get(id).state() == JobState.COMPLETED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
