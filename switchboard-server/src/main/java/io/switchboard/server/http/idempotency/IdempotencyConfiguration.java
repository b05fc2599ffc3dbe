package io.switchboard.server.http.idempotency;

import io.switchboard.Switchboard;
import io.switchboard.server.jobs.SwitchboardBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Idempotency keys: the store's settings on the server's Switchboard, and the filter on {@code /api/*}. */
@Configuration(proxyBeanMethods = false)
class IdempotencyConfiguration {
    /** After authentication (+20, which names the client) and rate limiting (+30, which must see retries too). */
    static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 40;

    @Bean
    SwitchboardBuilderCustomizer idempotencyOptions(IdempotencyProperties properties) {
        return builder -> builder.idempotency(properties.toOptions());
    }

    @Bean
    FilterRegistrationBean<IdempotencyFilter> idempotencyFilter(Switchboard switchboard, IdempotencyProperties properties,
                                                                JsonMapper json, PlatformTransactionManager transactions) {
        IdempotencyFilter filter = new IdempotencyFilter(switchboard.idempotencyKeys(),
                RouteRules.parse("switchboard.idempotency.required-for", properties.requiredFor()),
                RouteRules.parse("switchboard.idempotency.checked-at-commit", properties.checkedAtCommit()),
                properties.maxBodySize().toBytes(), json, new TransactionTemplate(transactions));
        FilterRegistrationBean<IdempotencyFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/api/*");
        registration.setOrder(FILTER_ORDER);
        registration.setName("idempotencyFilter");
        return registration;
    }
}
