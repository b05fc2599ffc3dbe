package io.switchboard.server.schedules;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns an invalid schedule in configuration into a startup report that names it and says how to fix it. */
class InvalidScheduleConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidScheduleConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidScheduleConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the setting named above. A schedule needs 'kind' and exactly one of 'cron' (with an optional 'zone') "
                        + "or 'every'; optional: args, missed-slots (skip | run-once | catch-up), catch-up-max, grace, "
                        + "allow-overlap, max-attempts, coordination-failure (skip).",
                cause);
    }
}
