package io.switchboard.server.http.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.Switchboard;
import io.switchboard.limit.RateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rate-limit filter of {@code switchboard.rate-limit.*}, on the server's {@link Switchboard#rateLimiter()}. It
 * runs after authentication (which names the client) and before everything else that touches the request.
 */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {
    /** After authentication (which sets the client attribute), before the rest of the chain. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 30;

    private static final Logger log = LoggerFactory.getLogger(RateLimitConfiguration.class);

    /** The Switchboard owns the limiter; Spring must not try to close it. */
    @Bean(destroyMethod = "")
    RateLimiter rateLimiter(Switchboard switchboard) {
        return switchboard.rateLimiter();
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilter(RateLimitProperties properties, Environment environment,
                                                            RateLimiter rateLimiter, MeterRegistry meterRegistry,
                                                            JsonMapper jsonMapper) {
        RateLimitRules rules = RateLimitRules.from(properties, environment);
        if (properties.enabled()) {
            log.info("Rate limits: {}; never limited: {}; database unavailable: reads {}, writes {}",
                    rules.rules().isEmpty() ? "none" : rules, properties.exclude(),
                    properties.onDatabaseUnavailable().reads(), properties.onDatabaseUnavailable().writes());
        } else {
            log.info("Rate limits are disabled (switchboard.rate-limit.enabled=false)");
        }
        LimiterOutage outage = new LimiterOutage(properties.onDatabaseUnavailable(), meterRegistry);
        RateLimitFilter filter = new RateLimitFilter(rateLimiter, rules, properties.enabled(), outage, jsonMapper);
        FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("switchboardRateLimitFilter");
        registration.setOrder(ORDER);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
