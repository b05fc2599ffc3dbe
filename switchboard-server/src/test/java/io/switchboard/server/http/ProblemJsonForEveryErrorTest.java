package io.switchboard.server.http;

import io.switchboard.server.ServerTestBase;
import io.switchboard.server.ServerTests;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error of the server, whoever raises it, is RFC 9457 problem+json with one of the server's types. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ProblemJsonForEveryErrorTest.FailingFilters.class)
class ProblemJsonForEveryErrorTest extends ServerTestBase {
    /** Filters after the request-context filter that fail the way filters (authentication, limits) can. */
    static class FailingFilters {
        @Bean
        FilterRegistrationBean<Filter> throwingFilter() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                throw new IllegalStateException("filter exploded");
            });
            registration.addUrlPatterns("/test/filter-throws");
            return registration;
        }

        @Bean
        FilterRegistrationBean<Filter> sendErrorFilter() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) ->
                    ((HttpServletResponse) response).sendError(403));
            registration.addUrlPatterns("/test/filter-sends-error");
            return registration;
        }
    }

    RawHttp http;

    @BeforeEach
    void client() {
        http = new RawHttp(port, ServerTests.adminKey(context));
    }

    @Test
    void unknownRouteIs404Problem() {
        assertProblem(http.send("GET", "/no/such/route", null), 404, "not-found");
    }

    @Test
    void unknownRouteIs404ProblemEvenForAnHtmlClient() {
        assertProblem(http.send("GET", "/no/such/route", null, "Accept", "text/html"), 404, "not-found");
    }

    @Test
    void wrongMethodIs405ProblemWithAllow() {
        RawHttp.Response response = http.send("DELETE", "/api/queues", null);
        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.header("Allow")).contains("GET");
    }

    @Test
    void unsupportedBodyTypeIs415Problem() {
        assertProblem(http.send("POST", "/api/jobs", "kind=noop", "Content-Type", "text/plain"), 415, "unsupported-media-type");
    }

    @Test
    void unacceptableResponseTypeIs406Problem() {
        assertProblem(http.send("GET", "/api/queues", null, "Accept", "application/xml"), 406, "not-acceptable");
    }

    @Test
    void oversizedBodyIs413ProblemAndNothingIsEnqueued() throws Exception {
        RawHttp.Response response = http.send("POST", "/api/jobs", hugeJob(), "Content-Type", "application/json");
        assertProblem(response, 413, "content-too-large");
        assertThat(hugeJobsStored()).isZero();
    }

    @Test
    void oversizedChunkedBodyIs413ProblemAndNothingIsEnqueued() throws Exception {
        RawHttp.Response response = http.sendChunked("POST", "/api/jobs", hugeJob().getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertProblem(response, 413, "content-too-large");
        assertThat(hugeJobsStored()).isZero();
    }

    @Test
    void smallChunkedBodyIsAccepted() {
        RawHttp.Response response = http.sendChunked("POST", "/api/jobs",
                "{\"kind\": \"noop\"}".getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
        assertThat(response.status()).as(response.raw().body()).isEqualTo(201);
    }

    private static String hugeJob() {
        return "{\"kind\": \"log\", \"args\": {\"message\": \"" + "x".repeat(1536 * 1024) + "\"}}";
    }

    private static long hugeJobsStored() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM switchboard.jobs WHERE length(args::text) > 1000000")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void malformedJsonIs400Problem() {
        assertProblem(http.send("POST", "/api/jobs", "{\"kind\": ", "Content-Type", "application/json"), 400, "malformed-json");
    }

    @Test
    void exceptionThrownInAFilterIs500ProblemWithoutInternals() {
        RawHttp.Response response = http.send("GET", "/test/filter-throws", null, "X-Request-Id", "filter-req-1");
        assertProblem(response, 500, "internal-error");
        assertThat(response.raw().body()).doesNotContain("exploded");
        assertThat(response.header("X-Request-Id")).isEqualTo("filter-req-1");
    }

    @Test
    void errorSentByAFilterGoesThroughTheProblemErrorPage() {
        RawHttp.Response response = http.send("GET", "/test/filter-sends-error", null, "X-Request-Id", "filter-req-2");
        assertProblem(response, 403, "invalid-request");
        assertThat(response.header("X-Request-Id")).isEqualTo("filter-req-2");
    }

    @Test
    void theErrorPageItselfIsAProblem() {
        assertProblem(http.send("GET", "/error", null), 404, "not-found");
    }

    private static void assertProblem(RawHttp.Response response, int status, String type) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:" + type);
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("title").asString()).isNotBlank();
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }
}
