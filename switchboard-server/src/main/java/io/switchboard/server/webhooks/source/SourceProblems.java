package io.switchboard.server.webhooks.source;

import io.switchboard.server.http.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Problem+json for the sources API's own failures. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class SourceProblems {
    @ExceptionHandler(SourceErrors.NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(SourceErrors.NotFoundException e) {
        return Problems.response(Problems.problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage()));
    }

    @ExceptionHandler(SourceErrors.ConflictException.class)
    ResponseEntity<ProblemDetail> conflict(SourceErrors.ConflictException e) {
        return Problems.response(Problems.problem(HttpStatus.CONFLICT, "conflict", "Conflict", e.getMessage()));
    }

    /** A configuration fault of the server, not of the request: 503 until an operator sets the key. */
    @ExceptionHandler(SourceErrors.SecretKeyMissingException.class)
    ResponseEntity<ProblemDetail> keyMissing(SourceErrors.SecretKeyMissingException e) {
        return Problems.response(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "webhook-secret-key-missing",
                "Webhook secret key missing", e.getMessage()));
    }
}
