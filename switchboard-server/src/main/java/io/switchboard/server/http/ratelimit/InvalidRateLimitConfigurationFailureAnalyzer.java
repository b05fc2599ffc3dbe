package io.switchboard.server.http.ratelimit;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns an invalid rate-limit setting into a startup report that names it and says how to fix it. */
class InvalidRateLimitConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidRateLimitConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidRateLimitConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the setting named above. A policy under switchboard.rate-limit.policies.<name> needs 'limit' (at "
                        + "least 1), 'window' (e.g. 15m) and 'paths' (e.g. [/api/**]); optional: enabled, methods "
                        + "(e.g. [POST]), per (client | org | ip), cost (1 to the limit). Also under switchboard.rate-limit: "
                        + "enabled, exclude (path patterns), on-database-unavailable.reads / .writes (open | closed) and "
                        + ".probe-interval.",
                cause);
    }
}
