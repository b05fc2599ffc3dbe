package io.switchboard.server.schedules;

import io.switchboard.Maintenance;
import io.switchboard.jobs.JobKind;
import io.switchboard.schedule.CoordinationFailure;
import io.switchboard.schedule.MissedSlotPolicy;
import io.switchboard.schedule.Schedule;
import io.switchboard.server.jobs.BuiltInJobs;
import io.switchboard.server.schedules.SchedulesProperties.ScheduleSettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configured schedules become core schedules with the settings given, or fail with the schedule and setting named. */
class ConfiguredSchedulesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConfiguredSchedules configured = new ConfiguredSchedules(
            List.<JobKind<?>>of(BuiltInJobs.LOG, BuiltInJobs.NOOP), JSON, () -> {
                throw new AssertionError("no slot runs in this test");
            });

    @Test
    void yamlScheduleBecomesACoreScheduleWithEverySetting() throws IOException {
        SchedulesProperties properties = bind("""
                switchboard:
                  schedules:
                    nightly-report:
                      cron: "0 3 * * *"
                      zone: Europe/Paris
                      kind: noop
                      args: { month: current, copies: 2, draft: false, to: [ops, finance], page: { size: 50 } }
                      missed-slots: catch-up
                      catch-up-max: 5
                      grace: 2m
                      allow-overlap: true
                      max-attempts: 7
                      coordination-failure: skip
                    heartbeat:
                      every: 30s
                      kind: log
                      args: { message: tick }
                  maintenance:
                    prune-jobs-every: 5m
                """);

        Schedule nightly = configured.schedule("nightly-report", properties.schedules().get("nightly-report"));
        assertThat(nightly.trigger().describe()).isEqualTo("cron:0 3 * * *@Europe/Paris");
        assertThat(nightly.missedSlots()).isEqualTo(MissedSlotPolicy.catchUp(5));
        assertThat(nightly.grace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(nightly.allowOverlap()).isTrue();
        assertThat(nightly.maxAttempts()).isEqualTo(7);
        assertThat(nightly.coordinationFailure()).isEqualTo(CoordinationFailure.SKIP);
        // YAML keeps numbers, booleans and lists as such.
        assertThat(JSON.writeValueAsString(ConfigurationJson.toJsonValue(properties.schedules().get("nightly-report").args())))
                .isEqualTo("{\"month\":\"current\",\"copies\":2,\"draft\":false,\"to\":[\"ops\",\"finance\"],\"page\":{\"size\":50}}");

        Schedule heartbeat = configured.schedule("heartbeat", properties.schedules().get("heartbeat"));
        assertThat(heartbeat.trigger().describe()).isEqualTo("every:PT30S");
        Schedule defaults = Schedule.every("defaults", Duration.ofSeconds(30), ctx -> {
        });
        assertThat(heartbeat.missedSlots()).isEqualTo(defaults.missedSlots());
        assertThat(heartbeat.grace()).isEqualTo(defaults.grace());
        assertThat(heartbeat.maxAttempts()).isEqualTo(defaults.maxAttempts());

        Maintenance maintenance = ConfiguredSchedules.maintenance(properties.maintenance());
        assertThat(maintenance.pruneJobsEvery()).isEqualTo(Duration.ofMinutes(5));
        assertThat(maintenance.cleanupLeasesEvery()).isEqualTo(Maintenance.DEFAULT.cleanupLeasesEvery());
        assertThat(maintenance.runHistoryRetention()).isEqualTo(Maintenance.DEFAULT.runHistoryRetention());
    }

    @Test
    void withoutSettingsTheMaintenanceDefaultsApply() throws IOException {
        assertThat(ConfiguredSchedules.maintenance(bind("other: 1").maintenance())).isEqualTo(Maintenance.DEFAULT);
    }

    @Test
    void catchUpWithoutAMaximumRunsTheDefaultNumberOfMissedSlots() {
        Schedule schedule = configured.schedule("s", new ScheduleSettings(null, null, Duration.ofMinutes(1), "noop", null,
                MissedSlotPolicy.Mode.CATCH_UP, null, null, null, null, null));

        assertThat(schedule.missedSlots()).isEqualTo(MissedSlotPolicy.catchUp(ConfiguredSchedules.DEFAULT_CATCH_UP_MAX));
    }

    @Test
    void cronWithoutAZoneRunsInUtc() {
        Schedule schedule = configured.schedule("s", settings("0 3 * * *", null, null, "noop", Map.of()));

        assertThat(schedule.trigger().describe()).isEqualTo("cron:0 3 * * *@Z");
    }

    @Test
    void bothCronAndEveryIsRefused() {
        assertInvalid(settings("0 3 * * *", null, Duration.ofMinutes(1), "noop", Map.of()),
                "Invalid schedule 'broken' (switchboard.schedules.broken): set either 'cron' or 'every', not both");
    }

    @Test
    void neitherCronNorEveryIsRefused() {
        assertInvalid(settings(null, null, null, "noop", Map.of()), "(switchboard.schedules.broken): set 'cron'");
    }

    @Test
    void badCronIsRefused() {
        assertInvalid(settings("0 3 * *", null, null, "noop", Map.of()),
                "(switchboard.schedules.broken.cron): cron expression '0 3 * *' must have 5 fields");
        assertInvalid(settings("0 25 * * *", null, null, "noop", Map.of()), "(switchboard.schedules.broken.cron): invalid cron");
    }

    @Test
    void unknownZoneIsRefused() {
        assertInvalid(settings("0 3 * * *", "Mars/Olympus", null, "noop", Map.of()), "(switchboard.schedules.broken.zone)");
    }

    @Test
    void zoneWithAnIntervalIsRefused() {
        assertInvalid(settings(null, "Europe/Paris", Duration.ofMinutes(1), "noop", Map.of()),
                "(switchboard.schedules.broken.zone): 'zone' applies to 'cron' only");
    }

    @Test
    void tooShortIntervalIsRefused() {
        assertInvalid(settings(null, null, Duration.ofMillis(1), "noop", Map.of()),
                "(switchboard.schedules.broken.every): interval must be at least 10 ms");
    }

    @Test
    void missingOrUnknownKindIsRefusedListingTheKnownKinds() {
        assertInvalid(settings(null, null, Duration.ofMinutes(1), null, Map.of()),
                "(switchboard.schedules.broken.kind): 'kind' is required");
        assertInvalid(settings(null, null, Duration.ofMinutes(1), "send-fax", Map.of()),
                "(switchboard.schedules.broken.kind): unknown job kind 'send-fax'; known kinds: [log, noop]");
    }

    @Test
    void argumentsThatDoNotFitTheKindAreRefused() {
        assertInvalid(settings(null, null, Duration.ofMinutes(1), "log", Map.of("text", "hi")),
                "(switchboard.schedules.broken.args): arguments {\"text\":\"hi\"} do not fit job kind 'log'");
    }

    @Test
    void outOfRangeOptionsAreRefused() {
        assertInvalid(new ScheduleSettings(null, null, Duration.ofMinutes(1), "noop", null, MissedSlotPolicy.Mode.CATCH_UP,
                0, null, null, null, null), "(switchboard.schedules.broken.catch-up-max)");
        assertInvalid(new ScheduleSettings(null, null, Duration.ofMinutes(1), "noop", null, MissedSlotPolicy.Mode.SKIP,
                3, null, null, null, null), "(switchboard.schedules.broken.catch-up-max): 'catch-up-max' applies only");
        assertInvalid(new ScheduleSettings(null, null, Duration.ofMinutes(1), "noop", null, null, null,
                Duration.ofSeconds(-1), null, null, null), "(switchboard.schedules.broken.grace)");
        assertInvalid(new ScheduleSettings(null, null, Duration.ofMinutes(1), "noop", null, null, null, null, null,
                0, null), "(switchboard.schedules.broken.max-attempts)");
    }

    @Test
    void runningLocallyWithoutTheDatabaseIsRefusedBecauseEnqueueingNeedsIt() {
        assertInvalid(new ScheduleSettings(null, null, Duration.ofMinutes(1), "noop", null, null, null, null, null, null,
                CoordinationFailure.RUN_LOCALLY), "(switchboard.schedules.broken.coordination-failure): 'run-locally' cannot work");
    }

    @Test
    void badNameIsRefused() {
        assertThatThrownBy(() -> configured.schedule("no spaces", settings(null, null, Duration.ofMinutes(1), "noop", Map.of())))
                .isInstanceOf(InvalidScheduleConfigurationException.class)
                .hasMessageContaining("Invalid schedule 'no spaces'")
                .hasMessageContaining("must be 1 to 100 letters");
    }

    @Test
    void tooShortMaintenanceIntervalIsRefused() throws IOException {
        SchedulesProperties properties = bind("switchboard.maintenance.prune-jobs-every: 10ms");

        assertThatThrownBy(() -> ConfiguredSchedules.maintenance(properties.maintenance()))
                .isInstanceOf(InvalidScheduleConfigurationException.class)
                .hasMessageContaining("switchboard.maintenance");
    }

    @Test
    void misspeltSettingIsRefused() throws IOException {
        StandardEnvironment environment = environment("""
                switchboard.schedules.report:
                  every: 1m
                  kind: noop
                  misssed-slots: run-once
                """);

        assertThatThrownBy(() -> UnknownSettings.check(environment))
                .isInstanceOf(InvalidScheduleConfigurationException.class)
                .hasMessageContaining("Invalid schedule 'report' (switchboard.schedules.report.misssed-slots): unknown setting")
                .hasMessageContaining("missed-slots");
    }

    @Test
    void knownSettingsAndAnyArgumentsPassTheCheck() throws IOException {
        UnknownSettings.check(environment("""
                switchboard:
                  schedules.report: { every: 1m, kind: noop, missed-slots: run-once, args: { any: { deep: [1] } } }
                  maintenance: { prune-jobs-every: 1m, run-history-retention: 7d }
                  jobs.shutdown-timeout: 5s
                """));
    }

    private void assertInvalid(ScheduleSettings settings, String message) {
        assertThatThrownBy(() -> configured.schedule("broken", settings))
                .isInstanceOf(InvalidScheduleConfigurationException.class)
                .hasMessageContaining(message);
    }

    private static ScheduleSettings settings(String cron, String zone, Duration every, String kind, Map<String, Object> args) {
        return new ScheduleSettings(cron, zone, every, kind, args, null, null, null, null, null, null);
    }

    private static SchedulesProperties bind(String yaml) throws IOException {
        return Binder.get(environment(yaml)).bindOrCreate("switchboard", SchedulesProperties.class);
    }

    private static StandardEnvironment environment(String yaml) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        List<PropertySource<?>> sources = new YamlPropertySourceLoader()
                .load("test", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
        sources.forEach(environment.getPropertySources()::addFirst);
        ConfigurationPropertySources.attach(environment);
        return environment;
    }
}
