package io.switchboard.server.database;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when no database URL is configured. {@code SWITCHBOARD_DATABASE_URL} arrives here as
 * {@code spring.datasource.url} (see application.yml), which is blank when neither is set.
 */
class NoDatabaseConfiguredCondition extends SpringBootCondition {
    static final String URL_PROPERTY = "spring.datasource.url";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String url = context.getEnvironment().getProperty(URL_PROPERTY);
        return StringUtils.hasText(url)
                ? ConditionOutcome.noMatch(URL_PROPERTY + " is set: using that database")
                : ConditionOutcome.match("no database URL configured: using embedded PostgreSQL");
    }
}
