package io.switchboard.server.http.idempotency;

import io.switchboard.db.DatabaseException;
import io.switchboard.idempotency.Claim;
import io.switchboard.idempotency.IdempotencyKeys;
import io.switchboard.idempotency.StoredResponse;
import io.switchboard.server.http.Problems;
import io.switchboard.server.tenancy.Principal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Idempotency keys on mutating API requests (POST, PUT, PATCH, DELETE under {@code /api/}). With an
 * {@code Idempotency-Key} header the first request runs and its 2xx-4xx response (status, content type, body,
 * {@code Location}) is stored; retries with the same key get it back with {@code Idempotent-Replayed: true}.
 * Keys are scoped by the client the authentication filter named (request attribute {@value #CLIENT_ATTRIBUTE}).
 * The claim, the request and its stored response are one transaction: a 5xx or an exception rolls all of it
 * back, so a retry runs the request again.
 */
final class IdempotencyFilter extends OncePerRequestFilter {
    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /** Set by the authentication filter: the client's id. */
    static final String CLIENT_ATTRIBUTE = Principal.CLIENT_ATTRIBUTE;
    static final String ANONYMOUS = "anonymous";

    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final IdempotencyKeys keys;
    private final RouteRules required;
    private final RouteRules checkedAtCommit;
    private final long maxBodyBytes;
    private final JsonMapper json;
    private final TransactionTemplate transactions;

    IdempotencyFilter(IdempotencyKeys keys, RouteRules required, RouteRules checkedAtCommit, long maxBodyBytes,
                      JsonMapper json, TransactionTemplate transactions) {
        this.keys = keys;
        this.transactions = transactions;
        this.required = required;
        this.checkedAtCommit = checkedAtCommit;
        this.maxBodyBytes = maxBodyBytes;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !MUTATING.contains(request.getMethod()) || !path(request).startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        List<String> values = Collections.list(request.getHeaders(HEADER));
        if (values.isEmpty()) {
            if (required.matches(request.getMethod(), path(request))) {
                problem(request, response, HttpStatus.BAD_REQUEST, "idempotency-key-missing", "Idempotency key missing",
                        request.getMethod() + " " + path(request) + " requires an " + HEADER + " header", null);
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if (values.size() > 1) {
            invalidKey(request, response, "send exactly one " + HEADER + " header, got " + values.size());
            return;
        }
        String key = values.getFirst();
        try {
            IdempotencyKeys.requireKey(key);
        } catch (IllegalArgumentException e) {
            invalidKey(request, response, e.getMessage());
            return;
        }
        byte[] body = readBody(request);
        if (body == null) {
            problem(request, response, HttpStatus.CONTENT_TOO_LARGE, "request-too-large", "Request too large",
                    "a request with an " + HEADER + " may carry at most " + maxBodyBytes + " bytes", null);
            return;
        }
        Object client = request.getAttribute(CLIENT_ATTRIBUTE);
        String scope = client instanceof String s && !s.isBlank() ? s : ANONYMOUS;
        HttpServletRequest cached = new CachedBodyRequest(request, body);
        String fingerprint = fingerprint(request, body);
        if (checkedAtCommit.matches(request.getMethod(), path(request))) {
            runCheckedAtCommit(cached, response, chain, scope, key, fingerprint);
        } else {
            run(cached, response, chain, scope, key, fingerprint);
        }
    }

    /**
     * Claims the key, runs the request and stores its response in ONE transaction: the request's own writes
     * through the Switchboard data source (jobs, leases, ...) join it, so the claim, they and the stored response
     * commit together with one WAL flush, and a 5xx, an exception or a failed store undoes all of them (a retry
     * then runs the request again). Only then is the response sent. While the transaction is open, a concurrent
     * request with the same key is told the first is in flight (409).
     */
    private void run(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String scope,
                     String key, String fingerprint) throws IOException, ServletException {
        ContentCachingResponseWrapper captured = new ContentCachingResponseWrapper(response);
        Result result;
        try {
            result = transactions.execute(tx -> {
                Claim claim = keys.begin(scope, key, fingerprint);
                if (!(claim instanceof Claim.Proceed proceed)) {
                    return new Result(Outcome.ANSWERED, claim);
                }
                if (!ranToAStorableResponse(request, captured, chain, tx)) {
                    return new Result(Outcome.NOT_STORED, claim);
                }
                if (!keys.complete(proceed.token(), stored(captured))) {
                    tx.setRollbackOnly();
                    return new Result(Outcome.TAKEN_OVER, claim);
                }
                return new Result(Outcome.STORED, claim);
            });
        } catch (RequestFailed e) {
            // Rolled back with the claim: a retry runs the request again.
            throw e.servletExceptionOrThrowIo();
        } catch (DatabaseException | TransactionException e) {
            databaseUnavailable(request, response, key, e);
            return;
        }
        switch (result.outcome()) {
            case STORED, NOT_STORED -> captured.copyBodyToResponse();
            case TAKEN_OVER -> {
                response.reset();
                problem(request, response, HttpStatus.CONFLICT, "idempotency-key-in-flight", "Request taken over",
                        "this request outlived its " + HEADER + " lease and a retry took the key over; it was undone",
                        null);
            }
            case ANSWERED -> answer(request, response, result.claim());
        }
    }

    /**
     * For routes whose every effect is a write joining the transaction ({@code checked-at-commit}): runs the request
     * first and takes the key only when its response is stored, in one statement sent with the commit, so a first
     * request costs one round trip more than without a key, not three. A retry of a completed request, or a duplicate
     * running at the same time, runs too; its transaction is rolled back and it is answered with what stands under
     * the key (replay, 422, 409), as the claim would have answered it. A run that fails (5xx, exception) is rolled
     * back; if the key holds a completed request's response, that is replayed instead of the failure.
     */
    private void runCheckedAtCommit(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
                                    String scope, String key, String fingerprint) throws IOException, ServletException {
        ContentCachingResponseWrapper captured = new ContentCachingResponseWrapper(response);
        Result result;
        try {
            result = transactions.execute(tx -> {
                if (!ranToAStorableResponse(request, captured, chain, tx)) {
                    return new Result(Outcome.NOT_STORED, null);
                }
                // Stored with the commit in one round trip; Spring's commit then finds nothing left to do.
                if (keys.storeAndCommit(scope, key, fingerprint, stored(captured))) {
                    return new Result(Outcome.STORED, null);
                }
                tx.setRollbackOnly();
                return new Result(Outcome.KEY_TAKEN, null);
            });
        } catch (RequestFailed e) {
            if (answeredByStandingKey(request, response, scope, key, fingerprint)) {
                return;
            }
            throw e.servletExceptionOrThrowIo();
        } catch (DatabaseException | TransactionException e) {
            databaseUnavailable(request, response, key, e);
            return;
        }
        switch (result.outcome()) {
            case STORED -> captured.copyBodyToResponse();
            case NOT_STORED -> {
                if (!answeredByStandingKey(request, response, scope, key, fingerprint)) {
                    captured.copyBodyToResponse();
                }
            }
            case KEY_TAKEN -> {
                if (!answeredByStandingKey(request, response, scope, key, fingerprint)) {
                    // Nothing committed under the key yet: another request with it is still in flight.
                    response.reset();
                    answer(request, response, new Claim.InFlight(Duration.ofSeconds(1)));
                }
            }
            case TAKEN_OVER, ANSWERED -> throw new IllegalStateException("no claim is made before a run checked at commit");
        }
    }

    /**
     * Runs the request into {@code captured} inside the transaction; false (and the transaction marked for rollback)
     * if its response is not to be stored: a 5xx, or a status below 200.
     */
    private static boolean ranToAStorableResponse(HttpServletRequest request, ContentCachingResponseWrapper captured,
                                                  FilterChain chain, TransactionStatus tx) {
        try {
            chain.doFilter(request, captured);
        } catch (IOException | ServletException e) {
            throw new RequestFailed(e);
        }
        int status = captured.getStatus();
        if (status < 200 || status >= 500) {
            tx.setRollbackOnly();
            return false;
        }
        return true;
    }

    /**
     * After a failed run at commit: answers with what stands under the key, if anything (the run was a retry of a
     * request that had completed, or ran beside one in flight). A lookup that fails leaves the failure as the answer.
     */
    private boolean answeredByStandingKey(HttpServletRequest request, HttpServletResponse response, String scope,
                                          String key, String fingerprint) throws IOException {
        Claim standing;
        try {
            standing = keys.lookup(scope, key, fingerprint).orElse(null);
        } catch (DatabaseException e) {
            log.warn("Idempotency key '{}' could not be looked up after its request failed: {}", key, e.getMessage());
            return false;
        }
        if (standing == null) {
            return false;
        }
        response.reset();
        answer(request, response, standing);
        return true;
    }

    /** The claim, the store or the commit failed, so the request's writes are undone too. */
    private void databaseUnavailable(HttpServletRequest request, HttpServletResponse response, String key,
                                     RuntimeException e) throws IOException {
        log.warn("Idempotency key '{}' could not be claimed or its response stored; the request is undone: {}",
                key, e.getMessage());
        response.reset();
        problem(request, response, HttpStatus.SERVICE_UNAVAILABLE, Problems.DATABASE_UNAVAILABLE, "Database unavailable",
                "the database is unavailable and the request was not applied; retry later", Problems.RETRY_AFTER_SECONDS);
    }

    /** What is stored of a response for its retries: status, content type, {@code Location} and body. */
    private static StoredResponse stored(ContentCachingResponseWrapper captured) {
        Map<String, String> headers = new LinkedHashMap<>();
        String location = captured.getHeader(HttpHeaders.LOCATION);
        if (location != null) {
            headers.put(HttpHeaders.LOCATION, location);
        }
        return new StoredResponse(captured.getStatus(), captured.getContentType(), headers,
                captured.getContentAsByteArray());
    }

    /** A claim that does not run the request: replay, in flight, or another request's key. */
    private void answer(HttpServletRequest request, HttpServletResponse response, Claim claim) throws IOException {
        switch (claim) {
            case Claim.Replay replay -> replay(response, replay.response());
            case Claim.InFlight inFlight -> problem(request, response, HttpStatus.CONFLICT, "idempotency-key-in-flight",
                    "Request in progress", "the first request with this " + HEADER + " is still in progress; retry later",
                    (int) Math.max(1, Math.ceilDiv(inFlight.leaseRemaining().toMillis(), 1000)));
            case Claim.FingerprintMismatch mismatch -> problem(request, response, HttpStatus.UNPROCESSABLE_CONTENT,
                    "idempotency-key-mismatch", "Idempotency key reused",
                    "this " + HEADER + " was used for a different request (method, path, query or body differ)", null);
            case Claim.Proceed proceed -> throw new IllegalStateException("a proceeding claim is answered by its request");
        }
    }

    private enum Outcome { STORED, NOT_STORED, TAKEN_OVER, ANSWERED, KEY_TAKEN }

    private record Result(Outcome outcome, Claim claim) {
    }

    /** Carries a checked exception of the filter chain out of the transaction callback (which rolls back). */
    private static final class RequestFailed extends RuntimeException {
        RequestFailed(Exception cause) {
            super(cause);
        }

        /** Throws the filter chain's {@link IOException}, or returns its {@link ServletException} for the caller to throw. */
        ServletException servletExceptionOrThrowIo() throws IOException {
            if (getCause() instanceof IOException io) {
                throw io;
            }
            return (ServletException) getCause();
        }
    }

    private static void replay(HttpServletResponse response, StoredResponse stored) throws IOException {
        response.setStatus(stored.status());
        if (stored.contentType() != null) {
            response.setContentType(stored.contentType());
        }
        stored.headers().forEach(response::setHeader);
        response.setHeader(REPLAYED_HEADER, "true");
        byte[] body = stored.body();
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The whole body, or null if it is larger than allowed. */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxBodyBytes) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = request.getInputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                if (out.size() > maxBodyBytes) {
                    return null;
                }
            }
        }
        return out.toByteArray();
    }

    /** SHA-256 of method, path, query and raw body: a retry must be the same request byte for byte. */
    private static String fingerprint(HttpServletRequest request, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String query = request.getQueryString();
            String head = request.getMethod() + '\n' + path(request) + '\n' + (query == null ? "" : query) + '\n';
            sha.update(head.getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    private void invalidKey(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        problem(request, response, HttpStatus.BAD_REQUEST, "invalid-idempotency-key", "Invalid idempotency key", detail, null);
    }

    private void problem(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String name,
                         String title, String detail, Integer retryAfterSeconds) throws IOException {
        ProblemDetail problem = Problems.problem(status, name, title, detail);
        Problems.write(response, problem, path(request), retryAfterSeconds == null ? Map.of()
                : Map.of(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds)), json);
    }

    /** The request with its body already read, for the controller to read again. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already in memory");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
