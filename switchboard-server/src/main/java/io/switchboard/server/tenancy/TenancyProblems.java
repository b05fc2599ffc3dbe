package io.switchboard.server.tenancy;

import io.switchboard.server.http.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Problem+json for the tenancy API's own failures. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class TenancyProblems {
    private static final Logger log = LoggerFactory.getLogger(TenancyProblems.class);

    @ExceptionHandler(TenancyErrors.NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(TenancyErrors.NotFoundException e) {
        return Problems.response(Problems.problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage()));
    }

    @ExceptionHandler(TenancyErrors.ConstraintException.class)
    ResponseEntity<ProblemDetail> refused(TenancyErrors.ConstraintException e) {
        if (e.uniqueViolation()) {
            return Problems.response(Problems.problem(HttpStatus.CONFLICT, "conflict", "Conflict",
                    "a user with this e-mail address already exists in the organization"));
        }
        // A foreign key or RLS refusal: the target is not the caller's (or does not exist). Nothing was written.
        log.debug("Tenancy statement refused: {}", e.getMessage());
        return Problems.response(Problems.problem(HttpStatus.NOT_FOUND, "not-found", "Not found",
                "the organization or record does not exist"));
    }
}
