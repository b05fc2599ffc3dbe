package io.switchboard.server.http;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.MDC;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Stands in for the authentication filter: puts the org of header {@code X-Test-Org} in the logging context and,
 * as a filter that forgets to clean up might, leaves it there. Not annotated, so only tests that import it get it.
 */
class TestOrgFilter {
    @Bean
    FilterRegistrationBean<Filter> testOrgFilter() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
            String org = ((HttpServletRequest) request).getHeader("X-Test-Org");
            if (org != null) {
                MDC.put(RequestLogContextFilter.MDC_ORG, org);
            }
            chain.doFilter(request, response);
        });
        registration.setOrder(RequestLogContextFilter.ORDER + 10);
        return registration;
    }
}
