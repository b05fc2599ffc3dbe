package io.switchboard.server.http;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 9457 problem details as every endpoint of this server returns them: a stable {@code type} per kind of
 * problem ({@code urn:switchboard:problem:<name>}), a short {@code title}, the HTTP {@code status}, and a
 * {@code detail} written for the person who sent the request. Always sent as {@code application/problem+json}.
 */
public final class Problems {
    /** Prefix of every problem type this server defines. */
    public static final String TYPE_PREFIX = "urn:switchboard:problem:";

    /** Request content that is not acceptable: a bad value, a missing field, an unknown name. */
    public static final String INVALID_REQUEST = "invalid-request";
    /** The request body is not JSON at all. */
    public static final String MALFORMED_JSON = "malformed-json";
    /** The database cannot be reached; retrying later can succeed. */
    public static final String DATABASE_UNAVAILABLE = "database-unavailable";
    /** A fault of the server. */
    public static final String INTERNAL_ERROR = "internal-error";
    /** No endpoint at this path. */
    public static final String NOT_FOUND = "not-found";
    /** The path exists, the HTTP method does not (the {@code Allow} header lists those that do). */
    public static final String METHOD_NOT_ALLOWED = "method-not-allowed";
    /** None of the media types the client accepts can be produced. */
    public static final String NOT_ACCEPTABLE = "not-acceptable";
    /** The request body's media type is not one the endpoint reads. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type";
    /** The request body is larger than the server accepts. */
    public static final String CONTENT_TOO_LARGE = "content-too-large";

    /** Seconds a client is asked to wait before retrying when the database is unavailable. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private Problems() {
    }

    /** A problem of type {@code urn:switchboard:problem:<name>}. */
    public static ProblemDetail problem(HttpStatus status, String name, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + name));
        problem.setTitle(title);
        return problem;
    }

    /**
     * This server's problem type name for a status that says all there is to say (404, 405, ...): used for errors
     * raised by the framework or the servlet container rather than by an endpoint.
     */
    public static String nameFor(int status) {
        return switch (status) {
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> CONTENT_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> DATABASE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }

    /** The response carrying {@code problem}, as {@code application/problem+json}. */
    public static ResponseEntity<ProblemDetail> response(ProblemDetail problem) {
        return response(problem, new HttpHeaders());
    }

    /** The response carrying {@code problem} with extra {@code headers}, as {@code application/problem+json}. */
    public static ResponseEntity<ProblemDetail> response(ProblemDetail problem, HttpHeaders headers) {
        HttpHeaders all = HttpHeaders.copyOf(headers);
        all.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return ResponseEntity.status(problem.getStatus()).headers(all).body(problem);
    }

    /** 413: the request body is larger than the server accepts. */
    public static ProblemDetail contentTooLarge(String detail) {
        return problem(HttpStatus.valueOf(413), CONTENT_TOO_LARGE, "Content too large", detail);
    }

    /** 503 with {@code Retry-After}: the database is unavailable. */
    public static ResponseEntity<ProblemDetail> databaseUnavailable(String detail) {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        return response(problem(HttpStatus.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE, "Database unavailable", detail), headers);
    }

    /**
     * Writes {@code problem} as the response, for servlet filters (which Spring's exception handling does not
     * reach): type, title, status, detail, {@code instance} when given (the request's path as received, which need
     * not parse as a URI), then the problem's extra properties in order.
     */
    public static void write(HttpServletResponse response, ProblemDetail problem, String instance,
                             Map<String, String> headers, JsonMapper json) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", String.valueOf(problem.getType()));
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        if (instance != null) {
            body.put("instance", instance);
        }
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(problem.getStatus());
        headers.forEach(response::setHeader);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        // No Content-Length: the container sets it once the filter chain returns, so the response is not complete
        // for the client before the filters (the access log line among them) are done.
        response.getOutputStream().write(bytes);
    }
}
