package io.switchboard.server.http.ratelimit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Real HTTP calls for the rate-limit tests, optionally as a named client (see {@link ClientFromHeader}). */
final class RateLimitHttp {
    static final String CLIENT_HEADER = "X-Test-Client";
    static final String ORG_HEADER = "X-Test-Org";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String token;

    /** Requests to {@code port}, authenticated with the API key {@code token} (null: none). */
    RateLimitHttp(int port, String token) {
        this.port = port;
        this.token = token;
    }

    record Reply(int status, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String contentType() {
            return raw.headers().firstValue("Content-Type").orElse("");
        }

        JsonNode json() {
            return JSON.readTree(raw.body());
        }

        @Override
        public String toString() {
            return status + " " + raw.headers().map() + " " + raw.body();
        }
    }

    Reply get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    Reply post(String path, String json, String... headers) {
        return send("POST", path, json, headers);
    }

    Reply send(String method, String path, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Forgets every client's state: each test starts with whole quotas. */
    static void resetLimits(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE switchboard.rate_limits");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Renames the client after authentication (which names it after the test's admin key), in the request attribute
     * the rate-limit filter reads: {@value #CLIENT_HEADER}: abc becomes client {@code key:abc}, {@value #ORG_HEADER}:
     * acme organisation acme. So one key can play many clients and organisations.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class ClientFromHeader {
        @Bean
        FilterRegistrationBean<OncePerRequestFilter> testAuthentication() {
            FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
                @Override
                protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                        throws ServletException, IOException {
                    String client = request.getHeader(CLIENT_HEADER);
                    if (client != null) {
                        request.setAttribute(RateLimitFilter.CLIENT_ATTRIBUTE, "key:" + client);
                    }
                    String org = request.getHeader(ORG_HEADER);
                    if (org != null) {
                        request.setAttribute(RateLimitFilter.ORG_ATTRIBUTE, org);
                    }
                    chain.doFilter(request, response);
                }
            });
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 25);
            return registration;
        }
    }

    /**
     * Switches the real authentication off, for tests of the limiter while the database is down: authentication
     * itself needs the database, so with it on every request would get 503 before the limiter is asked.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class WithoutAuthentication {
        @Bean
        static org.springframework.beans.factory.config.BeanPostProcessor authenticationOff() {
            return new org.springframework.beans.factory.config.BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (bean instanceof FilterRegistrationBean<?> registration && name.equals("authenticationFilter")) {
                        registration.setEnabled(false);
                    }
                    return bean;
                }
            };
        }
    }
}
