package io.switchboard.server.http;

import io.switchboard.db.DatabaseException;
import io.switchboard.server.database.DatabaseErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Turns every error of the HTTP API into RFC 9457 problem+json: Spring MVC's own exceptions (unknown path,
 * wrong method, unsupported media type, ...), unreadable bodies with a detail naming the offending field,
 * bad input (400), an unavailable database (503, also when only found as the cause of another exception) and,
 * last, unexpected faults (500, details only in the log).
 * Feature packages map their own exceptions in advice of higher precedence.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ProblemJsonExceptionHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemJsonExceptionHandler.class);

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ProblemDetail> invalidRequest(IllegalArgumentException e) {
        return Problems.response(Problems.problem(HttpStatus.BAD_REQUEST, Problems.INVALID_REQUEST, "Invalid request", e.getMessage()));
    }

    @ExceptionHandler({DatabaseException.class, DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<ProblemDetail> databaseUnavailable(RuntimeException e) {
        log.warn("Database unavailable: {}", e.getMessage());
        return Problems.databaseUnavailable("the database is unavailable; retry later");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        ContentTooLargeException tooLarge = findCause(e, ContentTooLargeException.class);
        if (tooLarge != null) {
            return Problems.response(Problems.contentTooLarge(tooLarge.getMessage() + "; send less"));
        }
        if (DatabaseErrors.unreachable(e)) {
            // A lost connection wrapped in some other exception on its way here.
            log.warn("Database unavailable: {}", e.getMessage());
            return Problems.databaseUnavailable("the database is unavailable; retry later");
        }
        log.error("Request failed unexpectedly", e);
        return Problems.response(Problems.problem(HttpStatus.INTERNAL_SERVER_ERROR, Problems.INTERNAL_ERROR, "Internal error",
                "the server failed to handle the request; the cause is in its log"));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = describe(ex);
        return handleExceptionInternal(ex, problem, headers, HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status,
                                                        WebRequest request) {
        String name = ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
        String detail = "'" + name + "' must be " + describeType(ex.getRequiredType()) + ", got '" + ex.getValue() + "'";
        return handleExceptionInternal(ex, Problems.problem(HttpStatus.BAD_REQUEST, Problems.INVALID_REQUEST, "Invalid request", detail),
                headers, status, request);
    }

    /** Spring's own problems (type {@code about:blank}) get this server's problem types. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(URI.create(Problems.TYPE_PREFIX + Problems.nameFor(statusCode.value())));
        }
        return response;
    }

    /** Every problem goes out as application/problem+json, whatever the client's Accept header says. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
                                                          WebRequest request) {
        HttpHeaders all = HttpHeaders.copyOf(headers);
        all.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(body, all, statusCode);
    }

    private static ProblemDetail describe(HttpMessageNotReadableException ex) {
        ContentTooLargeException tooLarge = findCause(ex, ContentTooLargeException.class);
        if (tooLarge != null) {
            return Problems.contentTooLarge(tooLarge.getMessage() + "; send less");
        }
        JacksonException json = findCause(ex, JacksonException.class);
        if (json == null) {
            String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
                    ? "the request body is missing" : "the request body could not be read";
            return Problems.problem(HttpStatus.BAD_REQUEST, Problems.MALFORMED_JSON, "Malformed JSON", detail);
        }
        if (json instanceof StreamReadException) {
            return Problems.problem(HttpStatus.BAD_REQUEST, Problems.MALFORMED_JSON, "Malformed JSON",
                    "the request body is not valid JSON: " + json.getOriginalMessage() + at(json.getLocation()));
        }
        String field = json.getPath().isEmpty() ? null : path(json);
        String detail;
        if (json instanceof UnrecognizedPropertyException unknown) {
            Collection<Object> known = unknown.getKnownPropertyIds();
            detail = "unknown field '" + field + "'" + (known == null ? "" : "; known fields: " + known);
        } else if (json instanceof ValueInstantiationException && json.getCause() != null) {
            detail = (field == null ? "" : "'" + field + "': ") + json.getCause().getMessage();
        } else if (json instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            detail = field == null
                    ? "the request body must be " + describeType(mismatch.getTargetType())
                    : "'" + field + "' must be " + describeType(mismatch.getTargetType());
        } else {
            detail = (field == null ? "" : "'" + field + "': ") + json.getOriginalMessage();
        }
        return Problems.problem(HttpStatus.BAD_REQUEST, Problems.INVALID_REQUEST, "Invalid request", detail);
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String at(TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String describeType(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Instant.class || type == OffsetDateTime.class) {
            return "an ISO-8601 timestamp such as 2030-01-31T12:00:00Z";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        return type.isRecord() ? "a JSON object" : "a " + type.getSimpleName();
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
