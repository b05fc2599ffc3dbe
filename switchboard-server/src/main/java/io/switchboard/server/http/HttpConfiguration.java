package io.switchboard.server.http;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The request-context filter; Spring Boot registers it for every request, ordered by {@link RequestLogContextFilter#ORDER}. */
@Configuration(proxyBeanMethods = false)
class HttpConfiguration {
    @Bean
    RequestLogContextFilter requestLogContextFilter(HttpProperties properties, JsonMapper json, ProblemJsonExceptionHandler problems) {
        return new RequestLogContextFilter(properties, json, problems);
    }
}
