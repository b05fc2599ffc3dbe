package io.switchboard.server.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

/**
 * The error page ({@code /error}) as problem+json, replacing Spring Boot's whitelabel page and JSON: it answers
 * errors raised outside the controllers, by the servlet container or by a {@code sendError} in a filter.
 */
@RestController
class ProblemErrorController implements ErrorController {
    private final ProblemJsonExceptionHandler problems;

    ProblemErrorController(ProblemJsonExceptionHandler problems) {
        this.problems = problems;
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        ResponseEntity<ProblemDetail> response = problemFor(request);
        HttpHeaders headers = HttpHeaders.copyOf(response.getHeaders());
        if (request.getAttribute(RequestLogContextFilter.REQUEST_ID_ATTRIBUTE) instanceof String requestId) {
            headers.set(RequestLogContextFilter.REQUEST_ID_HEADER, requestId);
        }
        return Problems.response(response.getBody(), headers);
    }

    private ResponseEntity<ProblemDetail> problemFor(HttpServletRequest request) {
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Exception e) {
            return problems.unexpected(e);
        }
        // Called directly, the error page is just a path that does not exist.
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code ? code : 404;
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "no endpoint at " + pathOf(request);
            case 413 -> "the request is larger than the server accepts";
            default -> status >= 500 ? "the server failed to handle the request; the cause is in its log"
                    : "the request was refused: " + title;
        };
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(known == null ? 500 : status), detail);
        problem.setType(URI.create(Problems.TYPE_PREFIX + Problems.nameFor(status)));
        problem.setTitle(title);
        return Problems.response(problem);
    }

    private static String pathOf(HttpServletRequest request) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return uri == null ? request.getRequestURI() : uri.toString();
    }
}
