package io.switchboard.server.webhooks.ingest;

import io.switchboard.server.http.Problems;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.filter.ServerHttpObservationFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves {@code /webhooks/*} as a servlet of its own rather than through Spring MVC's dispatcher: the endpoint
 * has one route and answers JSON it builds itself, and the dispatcher's handler lookup, argument resolution and
 * content negotiation cost about as much CPU per event as the ingestion's own work (JFR, docs/benchmarks.md).
 * The servlet filters (request id and access log, observation metrics) still run; the route is named for them.
 */
final class WebhookIngestServlet extends HttpServlet {
    /** The route, as the request metrics name it. */
    static final String ROUTE = "/webhooks/{provider}/{sourceId}";

    private final transient WebhookIngestController ingest;
    private final transient JsonMapper json;

    WebhookIngestServlet(WebhookIngestController ingest, JsonMapper json) {
        this.ingest = ingest;
        this.json = json;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String[] parts = path.split("/", -1);
        if (parts.length != 4 || !parts[1].equals("webhooks") || parts[2].isEmpty() || parts[3].isEmpty()) {
            Problems.write(response, Problems.problem(HttpStatus.NOT_FOUND, Problems.NOT_FOUND, "Not found",
                    "no endpoint here; webhooks are posted to " + ROUTE), path, Map.of(), json);
            return;
        }
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(context -> context.setPathPattern(ROUTE));
        if (!request.getMethod().equals("POST")) {
            Problems.write(response, Problems.problem(HttpStatus.METHOD_NOT_ALLOWED, Problems.METHOD_NOT_ALLOWED,
                    "Method not allowed", "webhooks are posted (POST), not " + request.getMethod()), path,
                    Map.of(HttpHeaders.ALLOW, "POST"), json);
            return;
        }
        write(ingest.receive(parts[2], parts[3], request), path, response);
    }

    private void write(ResponseEntity<?> answer, String path, HttpServletResponse response) throws IOException {
        if (answer.getBody() instanceof WebhookIngestController.Acknowledged acknowledged) {
            byte[] body = acknowledged.json();
            response.setStatus(answer.getStatusCode().value());
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            // No Content-Length, as in Problems.write: the response completes for the client only after the filters.
            response.getOutputStream().write(body);
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        answer.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !values.isEmpty()) {
                headers.put(name, values.getFirst());
            }
        });
        if (answer.getBody() instanceof ProblemDetail problem) {
            Problems.write(response, problem, path, headers, json);
            return;
        }
        byte[] body = json.writeValueAsBytes(answer.getBody());
        response.setStatus(answer.getStatusCode().value());
        headers.forEach(response::setHeader);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(body);
    }
}
