package io.switchboard.server.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Outermost filter of the API: gives every request an id (a sane incoming {@value #REQUEST_ID_HEADER} or a new
 * one), echoes it in the response and puts it in the logging context ({@value #MDC_REQUEST_ID}) for every line
 * logged while the request runs; clears that context afterwards, including {@value #MDC_ORG} set by the
 * authentication filter. It refuses bodies larger than {@code switchboard.http.max-request-size} (413), turns an
 * exception escaping a later filter into problem+json, and logs one access line per request: method, path
 * without the query string (which may carry secrets), status and duration. Headers are never logged.
 */
public class RequestLogContextFilter extends OncePerRequestFilter implements Ordered {
    /** Runs before every other filter of the application, after Spring Boot's own request-scoped setup. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String MDC_REQUEST_ID = "requestId";
    public static final String MDC_ORG = "org";
    /** Request attribute holding the id, for the error page. */
    public static final String REQUEST_ID_ATTRIBUTE = RequestLogContextFilter.class.getName() + ".requestId";

    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Logger access = LoggerFactory.getLogger("io.switchboard.server.http.access");
    private static final Logger log = LoggerFactory.getLogger(RequestLogContextFilter.class);

    private final long maxRequestBytes;
    private final JsonMapper json;
    private final ProblemJsonExceptionHandler problems;

    public RequestLogContextFilter(HttpProperties properties, JsonMapper json, ProblemJsonExceptionHandler problems) {
        this.maxRequestBytes = properties.maxRequestSize().toBytes();
        this.json = json;
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long start = System.nanoTime();
        String requestId = requestId(request.getHeader(REQUEST_ID_HEADER));
        request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
        response.setHeader(REQUEST_ID_HEADER, requestId);
        MDC.put(MDC_REQUEST_ID, requestId);
        try {
            if (request.getContentLengthLong() > maxRequestBytes) {
                write(response, Problems.contentTooLarge("the request body has " + request.getContentLengthLong()
                        + " bytes; at most " + maxRequestBytes + " are accepted"));
                return;
            }
            try {
                // Without Content-Length (chunked) the limit is enforced while the body is read.
                chain.doFilter(request.getContentLengthLong() < 0 ? new SizeLimitedRequest(request, maxRequestBytes) : request,
                        response);
            } catch (IOException | ServletException | RuntimeException e) {
                if (response.isCommitted()) {
                    throw e;
                }
                // Thrown by a filter (controllers' exceptions are answered by ProblemJsonExceptionHandler).
                ResponseEntity<ProblemDetail> problem = problems.unexpected(e);
                response.reset();
                response.setHeader(REQUEST_ID_HEADER, requestId);
                problem.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
                write(response, problem.getBody());
            }
        } finally {
            long millis = (System.nanoTime() - start) / 1_000_000;
            // Probes and scrapes come every few seconds: at DEBUG, so they do not drown the API's lines.
            if (request.getRequestURI().startsWith("/actuator")) {
                access.debug("{} {} -> {} in {} ms", request.getMethod(), request.getRequestURI(), response.getStatus(), millis);
            } else {
                access.info("{} {} -> {} in {} ms", request.getMethod(), request.getRequestURI(), response.getStatus(), millis);
            }
            MDC.remove(MDC_REQUEST_ID);
            MDC.remove(MDC_ORG);
        }
    }

    private void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        try {
            Problems.write(response, problem, null, Map.of(), json);
        } catch (RuntimeException e) {
            log.warn("Could not write problem response", e);
        }
    }

    /** The client's id when it is short and harmless in logs and headers; otherwise a new one. */
    static String requestId(String incoming) {
        return incoming != null && SANE_REQUEST_ID.matcher(incoming).matches() ? incoming : newRequestId();
    }

    /**
     * A random id in the form of a version-4 UUID. An id is no secret (the response echoes it), so it comes from
     * {@link ThreadLocalRandom}: {@link UUID#randomUUID()} draws from the shared {@code SecureRandom}, which cost
     * about 1 % of the server's CPU per webhook request in a JFR profile.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
