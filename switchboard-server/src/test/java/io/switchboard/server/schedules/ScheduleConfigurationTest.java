package io.switchboard.server.schedules;

import io.switchboard.server.ServerTests;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;


import static org.assertj.core.api.Assertions.assertThat;

/** A schedule that cannot work stops the server at startup, with a message that names it. */
class ScheduleConfigurationTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @Test
    void scheduleWithBothCronAndEveryFailsStartupNamingIt() {
        Throwable failure = ServerTests.startFailure(db.jdbcUrl(),
                "--switchboard.schedules.invoices.cron=0 3 * * *",
                "--switchboard.schedules.invoices.every=1m",
                "--switchboard.schedules.invoices.kind=log");

        InvalidScheduleConfigurationException invalid = ServerTests.findCause(failure, InvalidScheduleConfigurationException.class);
        assertThat(invalid).as("cause of %s", failure).isNotNull();
        assertThat(invalid.getMessage())
                .isEqualTo("Invalid schedule 'invoices' (switchboard.schedules.invoices): set either 'cron' or 'every', not both");
        FailureAnalysis analysis = new InvalidScheduleConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).contains("invoices");
        assertThat(analysis.getAction()).contains("'cron'").contains("'every'");
    }

    @Test
    void scheduleWithAnUnparsableIntervalFailsStartupNamingTheSetting() {
        Throwable failure = ServerTests.startFailure(db.jdbcUrl(),
                "--switchboard.schedules.invoices.every=5 minutes",
                "--switchboard.schedules.invoices.kind=log");

        BindException bind = ServerTests.findCause(failure, BindException.class);
        assertThat(bind).as("cause of %s", failure).isNotNull();
        assertThat(bind.getMessage()).contains("switchboard.schedules.invoices");
        assertThat(bind.getProperty().getName().toString()).isEqualTo("switchboard.schedules.invoices.every");
    }

    @Test
    void scheduleWithAMisspeltSettingFailsStartup() {
        Throwable failure = ServerTests.startFailure(db.jdbcUrl(),
                "--switchboard.schedules.invoices.every=1m",
                "--switchboard.schedules.invoices.kind=log",
                "--switchboard.schedules.invoices.args.message=hi",
                "--switchboard.schedules.invoices.misssed-slots=run-once");

        assertThat(ServerTests.findCause(failure, InvalidScheduleConfigurationException.class))
                .as("cause of %s", failure).isNotNull()
                .hasMessageContaining("Invalid schedule 'invoices'")
                .hasMessageContaining("unknown setting 'misssed-slots'");
    }
}
