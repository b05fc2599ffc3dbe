package io.switchboard.server.schedules;

import io.switchboard.server.SwitchboardServerApplication;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A schedule that cannot work stops the server at startup, with a message that names it. */
class ScheduleConfigurationTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    @Test
    void scheduleWithBothCronAndEveryFailsStartupNamingIt() {
        Throwable failure = startFailure(
                "--switchboard.schedules.invoices.cron=0 3 * * *",
                "--switchboard.schedules.invoices.every=1m",
                "--switchboard.schedules.invoices.kind=log");

        InvalidScheduleConfigurationException invalid = findCause(failure, InvalidScheduleConfigurationException.class);
        assertThat(invalid).as("cause of %s", failure).isNotNull();
        assertThat(invalid.getMessage())
                .isEqualTo("Invalid schedule 'invoices' (switchboard.schedules.invoices): set either 'cron' or 'every', not both");
        FailureAnalysis analysis = new InvalidScheduleConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).contains("invoices");
        assertThat(analysis.getAction()).contains("'cron'").contains("'every'");
    }

    @Test
    void scheduleWithAnUnparsableIntervalFailsStartupNamingTheSetting() {
        Throwable failure = startFailure(
                "--switchboard.schedules.invoices.every=5 minutes",
                "--switchboard.schedules.invoices.kind=log");

        BindException bind = findCause(failure, BindException.class);
        assertThat(bind).as("cause of %s", failure).isNotNull();
        assertThat(bind.getMessage()).contains("switchboard.schedules.invoices");
        assertThat(bind.getProperty().getName().toString()).isEqualTo("switchboard.schedules.invoices.every");
    }

    @Test
    void scheduleWithAMisspeltSettingFailsStartup() {
        Throwable failure = startFailure(
                "--switchboard.schedules.invoices.every=1m",
                "--switchboard.schedules.invoices.kind=log",
                "--switchboard.schedules.invoices.args.message=hi",
                "--switchboard.schedules.invoices.misssed-slots=run-once");

        assertThat(findCause(failure, InvalidScheduleConfigurationException.class))
                .as("cause of %s", failure).isNotNull()
                .hasMessageContaining("Invalid schedule 'invoices'")
                .hasMessageContaining("unknown setting 'misssed-slots'");
    }

    private static Throwable startFailure(String... settings) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url=" + db.jdbcUrl()));
        args.addAll(List.of(settings));
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> new SpringApplicationBuilder(SwitchboardServerApplication.class)
                .run(args.toArray(String[]::new)).close())
                .satisfies(e -> thrown[0] = e);
        return thrown[0];
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
