package io.switchboard.server.jobs;

import io.switchboard.jobs.DuplicateJobException;
import io.switchboard.jobs.JobNotFoundException;
import io.switchboard.jobs.JobQueue;
import io.switchboard.jobs.JobQueueException;
import io.switchboard.jobs.UnknownJobKindException;
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

/** The job queue's exceptions as problem+json; other errors fall through to the server-wide handler. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class JobProblems {
    private static final Logger log = LoggerFactory.getLogger(JobProblems.class);

    private final JobQueue jobs;

    JobProblems(JobQueue jobs) {
        this.jobs = jobs;
    }

    @ExceptionHandler(UnknownJobKindException.class)
    ResponseEntity<ProblemDetail> unknownKind(UnknownJobKindException e) {
        ProblemDetail problem = Problems.problem(HttpStatus.BAD_REQUEST, "unknown-job-kind", "Unknown job kind", e.getMessage());
        problem.setProperty("knownKinds", jobs.kinds());
        return Problems.response(problem);
    }

    @ExceptionHandler(InvalidJobArgumentsException.class)
    ResponseEntity<ProblemDetail> invalidArguments(InvalidJobArgumentsException e) {
        return Problems.response(Problems.problem(HttpStatus.BAD_REQUEST, "invalid-job-arguments", "Invalid job arguments",
                e.getMessage()));
    }

    @ExceptionHandler(JobNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(JobNotFoundException e) {
        return Problems.response(Problems.problem(HttpStatus.NOT_FOUND, "job-not-found", "Job not found", e.getMessage()));
    }

    @ExceptionHandler(DuplicateJobException.class)
    ResponseEntity<ProblemDetail> duplicate(DuplicateJobException e) {
        ProblemDetail problem = Problems.problem(HttpStatus.CONFLICT, "duplicate-job", "Duplicate job", e.getMessage());
        problem.setProperty("existingJobId", e.existingJobId());
        return Problems.response(problem);
    }

    @ExceptionHandler(JobNotReplayableException.class)
    ResponseEntity<ProblemDetail> notReplayable(JobNotReplayableException e) {
        return Problems.response(Problems.problem(HttpStatus.CONFLICT, "job-not-replayable", "Job not replayable", e.getMessage()));
    }

    @ExceptionHandler(JobQueueException.class)
    ResponseEntity<ProblemDetail> databaseUnavailable(JobQueueException e) {
        log.warn("Job queue unavailable: {}", e.getMessage());
        return Problems.databaseUnavailable("the job queue's database is unavailable; retry later");
    }
}
