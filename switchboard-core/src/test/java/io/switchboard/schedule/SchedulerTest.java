package io.switchboard.schedule;

import io.switchboard.Switchboard;
import io.switchboard.db.SchemaMigration;
import io.switchboard.jobs.QueueOptions;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private final List<Switchboard> instances = new ArrayList<>();

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(40);
        SchemaMigration.migrate(ds);
    }

    @BeforeEach
    void clean() throws Exception {
        sql("TRUNCATE switchboard.jobs, switchboard.schedules, switchboard.schedule_runs, switchboard.instances");
    }

    @AfterEach
    void stop() {
        instances.forEach(i -> i.stop(Duration.ofSeconds(5)));
    }

    private Switchboard instance(String id, Schedule... schedules) {
        Switchboard.Builder builder = Switchboard.builder(ds).instanceId(id).scheduleTick(Duration.ofMillis(20))
                .queue(QueueOptions.defaults(Scheduler.QUEUE).withLeaseDuration(Duration.ofSeconds(1)))
                .jobs(j -> j.promoteInterval(Duration.ofMillis(20)).rescueInterval(Duration.ofMillis(200)));
        for (Schedule s : schedules) {
            builder.schedule(s);
        }
        Switchboard switchboard = builder.build();
        instances.add(switchboard);
        return switchboard.start();
    }

    @Test
    void eachSlotRunsOnceAcrossThreeInstances() throws Exception {
        Set<Instant> slots = ConcurrentHashMap.newKeySet();
        AtomicInteger runs = new AtomicInteger();
        ScheduledTask task = ctx -> {
            runs.incrementAndGet();
            slots.add(ctx.slot());
        };
        for (int i = 0; i < 3; i++) {
            // Catch-up rather than the default skip, and overlap allowed: on a loaded machine a tick may come more
            // than a slot late, or a slot's job may still be queued when the next slot fires; this test is about
            // every slot running once, not about how late or overlapping slots are handled (tested elsewhere).
            instance("node-" + i, Schedule.every("heartbeat-check", Duration.ofMillis(100), task)
                    .withMissedSlots(MissedSlotPolicy.catchUp(1_000)).withOverlap(true));
        }
        Thread.sleep(3_000);
        instances.forEach(s -> s.schedules().pause("heartbeat-check"));
        Thread.sleep(500);
        assertThat(runs.get()).isEqualTo(slots.size()).isGreaterThan(20);
        List<Instant> sorted = slots.stream().sorted().toList();
        for (int i = 1; i < sorted.size(); i++) {
            assertThat(Duration.between(sorted.get(i - 1), sorted.get(i))).as("no slot missed").isEqualTo(Duration.ofMillis(100));
        }
        assertThat(count("SELECT count(DISTINCT fired_by) FROM switchboard.schedule_runs")).as("instances share the firing")
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void runHistoryRecordsSuccessDurationAndFailureWithItsError() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Switchboard sb = instance("node", Schedule.every("flaky", Duration.ofHours(1), ctx -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("warehouse API down");
            }
            Thread.sleep(50);
        }).withMaxAttempts(2));
        ScheduleRun failed = sb.schedules().triggerNow("flaky");
        await(() -> status(sb, "flaky", failed.id()).equals("dead"));
        // The run is recorded dead just before its job's last failure commits; until that job has finished, a
        // manual run would rightly be skipped as overlapping it.
        await(() -> sb.jobs().find(failed.jobId()).map(j -> j.state() == io.switchboard.jobs.JobState.DEAD).orElse(false));
        ScheduleRun dead = run(sb, "flaky", failed.id());
        assertThat(dead.error()).contains("warehouse API down");
        assertThat(dead.attempt()).isEqualTo(2);

        ScheduleRun ok = sb.schedules().triggerNow("flaky");
        await(() -> status(sb, "flaky", ok.id()).equals("succeeded"));
        ScheduleRun succeeded = run(sb, "flaky", ok.id());
        assertThat(succeeded.manual()).isTrue();
        assertThat(succeeded.instanceId()).isEqualTo("node");
        assertThat(succeeded.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(succeeded.error()).isNull();
        assertThat(sb.schedules().status("flaky").lastRun().id()).isEqualTo(ok.id());
    }

    @Test
    void pausedScheduleFiresNothingAndResumesWithoutTheMissedSlots() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Switchboard sb = instance("node", Schedule.every("pausable", Duration.ofMillis(100), ctx -> runs.incrementAndGet())
                .withMissedSlots(MissedSlotPolicy.catchUp(100)));
        await(() -> runs.get() > 0);
        sb.schedules().pause("pausable");
        Thread.sleep(200);
        int atPause = runs.get();
        Thread.sleep(800);
        assertThat(runs.get()).isEqualTo(atPause);
        assertThat(sb.schedules().status("pausable").paused()).isTrue();
        sb.schedules().resume("pausable");
        Thread.sleep(450);
        assertThat(runs.get() - atPause).as("only new slots after resume, no catch-up of the pause").isBetween(1, 6);
    }

    @Test
    void missedSlotsAreSkippedRunOnceOrCaughtUpByPolicy() throws Exception {
        Set<Instant> skipSlots = ConcurrentHashMap.newKeySet();
        Set<Instant> onceSlots = ConcurrentHashMap.newKeySet();
        Set<Instant> catchUpSlots = ConcurrentHashMap.newKeySet();
        // Hourly slots: no new slot can fall due while the test runs, whatever the time of day.
        Duration interval = Duration.ofHours(1);
        Schedule skip = Schedule.every("missed-skip", interval, ctx -> skipSlots.add(ctx.slot())).withGrace(Duration.ofSeconds(1));
        Schedule once = Schedule.every("missed-once", interval, ctx -> onceSlots.add(ctx.slot()))
                .withGrace(Duration.ofSeconds(1)).withMissedSlots(MissedSlotPolicy.RUN_ONCE);
        Schedule catchUp = Schedule.every("missed-catch-up", interval, ctx -> catchUpSlots.add(ctx.slot()))
                .withGrace(Duration.ofSeconds(1)).withMissedSlots(MissedSlotPolicy.catchUp(3));
        // As if every instance had been down for 10 hours: the stored next slot lies 10 slots back.
        sql("INSERT INTO switchboard.schedules (name, trigger, next_slot_at) SELECT n, 'every:PT1H', "
                + "to_timestamp(floor(extract(epoch FROM now()) / 3600) * 3600 - 36000) FROM unnest(ARRAY['missed-skip','missed-once','missed-catch-up']) n");
        instance("node", skip, once, catchUp);
        await(() -> onceSlots.size() == 1 && catchUpSlots.size() == 3
                && count("SELECT count(*) FROM switchboard.schedule_runs WHERE schedule = 'missed-skip' AND status = 'skipped'") >= 10);
        Thread.sleep(300);
        assertThat(skipSlots).as("skip: the late slots do not run").hasSizeLessThanOrEqualTo(1);
        List<Instant> caught = catchUpSlots.stream().sorted().toList();
        assertThat(Duration.between(caught.get(0), caught.get(2))).isEqualTo(interval.multipliedBy(2));
        assertThat(onceSlots.iterator().next()).as("run once: the latest missed slot").isEqualTo(caught.get(2));
        assertThat(count("SELECT count(*) FROM switchboard.schedule_runs WHERE schedule = 'missed-skip' AND status = 'skipped' AND error LIKE 'missed slot%'"))
                .isGreaterThanOrEqualTo(10);
    }

    @Test
    void aSlotIsSkippedWhileThePreviousRunIsUnfinished() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        Switchboard sb = instance("node", Schedule.every("slow", Duration.ofMillis(100), ctx -> {
            started.incrementAndGet();
            release.await(10, TimeUnit.SECONDS);
        }));
        Thread.sleep(700);
        assertThat(started.get()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM switchboard.schedule_runs WHERE schedule = 'slow' AND status = 'skipped' "
                + "AND error LIKE 'previous run still unfinished%'")).isGreaterThanOrEqualTo(3);
        release.countDown();
        sb.schedules().pause("slow");
    }

    @Test
    void scheduleWritesCommitWithTheRunsSuccess() throws Exception {
        sql("CREATE TABLE IF NOT EXISTS reconciliations (slot timestamptz PRIMARY KEY)");
        sql("TRUNCATE reconciliations");
        Switchboard sb = instance("node", Schedule.every("reconcile", Duration.ofHours(1), ctx -> ctx.completeInTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO reconciliations VALUES (?)")) {
                ps.setObject(1, java.time.OffsetDateTime.ofInstant(ctx.slot(), java.time.ZoneOffset.UTC));
                return ps.executeUpdate();
            }
        })));
        ScheduleRun run = sb.schedules().triggerNow("reconcile");
        await(() -> status(sb, "reconcile", run.id()).equals("succeeded"));
        assertThat(count("SELECT count(*) FROM reconciliations")).isEqualTo(1);
    }

    @Test
    void builtInMaintenanceSchedulesAreVisible() {
        Switchboard sb = instance("node");
        assertThat(sb.schedules().list()).extracting(ScheduleStatus::name)
                .contains("switchboard.prune-jobs", "switchboard.cleanup-leases", "switchboard.prune-history",
                        "switchboard.reap-idempotency-keys");
    }

    @Test
    void instanceRegistryShowsWhoIsAliveAndWhatItRuns() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Switchboard a = instance("node-a", Schedule.every("long-task", Duration.ofHours(1), ctx -> {
            running.countDown();
            release.await(10, TimeUnit.SECONDS);
        }));
        a.schedules().triggerNow("long-task");
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        var lease = a.leases().tryAcquire("deploy-lock", io.switchboard.lock.LeaseOptions.fixed(Duration.ofMinutes(1))).orElseThrow();
        var info = a.instances().list().stream().filter(i -> i.id().equals("node-a")).findFirst().orElseThrow();
        assertThat(info.alive()).isTrue();
        assertThat(info.runningJobs()).hasSize(1);
        assertThat(info.leases()).containsExactly("deploy-lock");
        release.countDown();
        lease.release();
        a.stop(Duration.ofSeconds(5));
        instances.remove(a);
        var stopped = Switchboard.builder(ds).build().instances().list().stream().filter(i -> i.id().equals("node-a")).findFirst().orElseThrow();
        assertThat(stopped.alive()).isFalse();
        assertThat(stopped.stoppedAt()).isNotNull();
    }

    @Test
    void badSchedulesAreRejectedClearly() {
        ScheduledTask noop = ctx -> { };
        assertThatThrownBy(() -> Schedule.cron("bad", "61 * * * *", ZoneId.of("UTC"), noop))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid cron expression");
        assertThatThrownBy(() -> Schedule.cron("bad", "* * *", ZoneId.of("UTC"), noop))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> Schedule.every("bad name", Duration.ofSeconds(1), noop))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedule name");
        assertThatThrownBy(() -> Schedule.every("x", Duration.ofMillis(1), noop))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 10 ms");
        assertThatThrownBy(() -> MissedSlotPolicy.catchUp(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Switchboard.builder(ds).schedule(Schedule.every("twice", Duration.ofSeconds(1), noop))
                .schedule(Schedule.every("twice", Duration.ofSeconds(2), noop)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defined twice");
        Switchboard sb = instance("node");
        assertThatThrownBy(() -> sb.schedules().pause("no-such-schedule"))
                .isInstanceOf(java.util.NoSuchElementException.class).hasMessageContaining("no-such-schedule");
    }

    @Test
    void cronSlotsFollowTheTimeZoneIncludingDaylightSaving() {
        Trigger fourAmParis = Trigger.cron("0 4 * * *", ZoneId.of("Europe/Paris"));
        assertThat(fourAmParis.nextAfter(Instant.parse("2026-01-10T12:00:00Z"))).isEqualTo(Instant.parse("2026-01-11T03:00:00Z"));
        assertThat(fourAmParis.nextAfter(Instant.parse("2026-07-10T12:00:00Z"))).isEqualTo(Instant.parse("2026-07-11T02:00:00Z"));
        Trigger everyFifteenSeconds = Trigger.cron("*/15 * * * * *", ZoneId.of("UTC"));
        assertThat(everyFifteenSeconds.nextAfter(Instant.parse("2026-01-10T12:00:07Z"))).isEqualTo(Instant.parse("2026-01-10T12:00:15Z"));
        Trigger every30s = Trigger.every(Duration.ofSeconds(30));
        assertThat(every30s.nextAfter(Instant.parse("2026-01-10T12:00:30Z"))).isEqualTo(Instant.parse("2026-01-10T12:01:00Z"));
    }

    private static String status(Switchboard sb, String schedule, long runId) {
        return run(sb, schedule, runId).status();
    }

    private static ScheduleRun run(Switchboard sb, String schedule, long runId) {
        return sb.schedules().runs(schedule, 100).stream().filter(r -> r.id() == runId).findFirst().orElseThrow();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }

    private static void sql(String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
