package io.switchboard.server.schedules;

import io.switchboard.schedule.Scheduler;
import io.switchboard.server.http.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.util.NoSuchElementException;

/** The schedule API's errors as problem+json; other errors fall through to the server-wide handler. */
@RestControllerAdvice(assignableTypes = ScheduleController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ScheduleProblems {
    private final Scheduler scheduler;

    ScheduleProblems(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @ExceptionHandler(ScheduleNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(ScheduleNotFoundException e) {
        return notFound(e.getMessage());
    }

    /** The core's answer for a schedule not (yet) recorded in the database. */
    @ExceptionHandler(NoSuchElementException.class)
    ResponseEntity<ProblemDetail> notRecorded(NoSuchElementException e) {
        return notFound(e.getMessage());
    }

    private ResponseEntity<ProblemDetail> notFound(String detail) {
        ProblemDetail problem = Problems.problem(HttpStatus.NOT_FOUND, "schedule-not-found", "Schedule not found", detail);
        problem.setProperty("knownSchedules", scheduler.names());
        return Problems.response(problem);
    }
}
