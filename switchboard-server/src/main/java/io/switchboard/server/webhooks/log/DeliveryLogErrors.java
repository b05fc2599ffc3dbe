package io.switchboard.server.webhooks.log;

import io.switchboard.server.http.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Problem+json for the delivery log's own refusals. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class DeliveryLogErrors {
    /** No such event for the caller (another organization's included: not revealed). */
    static final class EventNotFoundException extends RuntimeException {
        EventNotFoundException(long id) {
            super("no webhook event " + id);
        }
    }

    /** The event is pending or processing: it will run anyway. */
    static final class NotReplayableException extends RuntimeException {
        NotReplayableException(long id, String status) {
            super("webhook event " + id + " is " + status + "; only failed, dead_letter or completed events can be replayed");
        }
    }

    @ExceptionHandler(EventNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(EventNotFoundException e) {
        return Problems.response(Problems.problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage()));
    }

    @ExceptionHandler(NotReplayableException.class)
    ResponseEntity<ProblemDetail> notReplayable(NotReplayableException e) {
        return Problems.response(Problems.problem(HttpStatus.CONFLICT, "webhook-event-not-replayable",
                "Event not replayable", e.getMessage()));
    }
}
