package io.switchboard.server.tenancy;

import io.switchboard.db.DatabaseException;
import io.switchboard.server.http.Problems;
import io.switchboard.server.http.RequestLogContextFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates every /api request by its {@code Authorization: Bearer} token, an API key ({@code sb_...}) or a
 * JWT, and checks the scope its path needs ({@link AccessRules}). On success the request carries the
 * {@link Principal} and its client and organization as request attributes, and the organization in the MDC
 * ({@code org}). Tokens are never logged.
 */
class AuthenticationFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(AuthenticationFilter.class);
    /** How stale an API key's last_used_at may get: it is for people, not for accounting. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final ApiKeys apiKeys;
    private final Users users;
    private final JwtAuthenticator jwt;
    private final JsonMapper json;

    AuthenticationFilter(ApiKeys apiKeys, Users users, JwtAuthenticator jwt, JsonMapper json) {
        this.apiKeys = apiKeys;
        this.users = users;
        this.jwt = jwt;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                || header.substring(7).isBlank()) {
            unauthorized(response, "send 'Authorization: Bearer <API key or JWT>'");
            return;
        }
        String token = header.substring(7).strip();
        Principal principal;
        try {
            Optional<Principal> authenticated = ApiKeySecret.looksLikeApiKey(token) ? byApiKey(token, response) : byJwt(token, response);
            if (authenticated.isEmpty()) {
                return; // the answer is written
            }
            principal = authenticated.get();
        } catch (DatabaseException e) {
            log.warn("Authentication failed: database unavailable: {}", e.getMessage());
            write(response, Problems.databaseUnavailable("the database is unavailable; retry later").getBody(),
                    Map.of(HttpHeaders.RETRY_AFTER, Integer.toString(Problems.RETRY_AFTER_SECONDS)));
            return;
        }

        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        AccessRules.Rule rule = AccessRules.forRequest(request.getMethod(), path);
        if (!principal.has(rule.scope())) {
            forbidden(response, "this credential lacks the scope '" + rule.scope() + "' that " + request.getMethod() + " "
                    + path + " needs");
            return;
        }
        if (rule.tenant() && principal.orgId() == null) {
            forbidden(response, "a platform-admin credential belongs to no organization; use /api/admin/orgs/{orgId}/...");
            return;
        }

        request.setAttribute(Principal.ATTRIBUTE, principal);
        request.setAttribute(Principal.CLIENT_ATTRIBUTE, principal.client());
        if (principal.orgId() != null) {
            request.setAttribute(Principal.ORG_ATTRIBUTE, principal.orgId().toString());
            // Cleared by RequestLogContextFilter once the request's access line is written, so that line has it too.
            MDC.put(RequestLogContextFilter.MDC_ORG, principal.orgId().toString());
        }
        chain.doFilter(request, response);
    }

    private Optional<Principal> byApiKey(String token, HttpServletResponse response) throws IOException {
        ApiKeySecret key = ApiKeySecret.parse(token);
        if (key == null) {
            unauthorized(response, "the API key is malformed");
            return Optional.empty();
        }
        Optional<ApiKeys.StoredKey> stored = apiKeys.findForAuthentication(key.prefix());
        if (stored.isEmpty() || !key.matches(stored.get().keyHash())) {
            if (stored.isEmpty()) {
                key.matches(new byte[32]); // same work either way: no timing hint whether the prefix exists
            }
            unauthorized(response, "the API key is not valid");
            return Optional.empty();
        }
        ApiKeys.StoredKey found = stored.get();
        if (found.revokedAt() != null) {
            unauthorized(response, "the API key was revoked");
            return Optional.empty();
        }
        if (found.lastUsedAt() == null || found.lastUsedAt().isBefore(Instant.now().minus(TOUCH_EVERY))) {
            // At most one write a minute per key (the statement checks again, on database time).
            apiKeys.touch(found.id());
        }
        return Optional.of(new Principal("key:" + key.prefix(), found.orgId(), null, new HashSet<>(found.scopes())));
    }

    private Optional<Principal> byJwt(String token, HttpServletResponse response) throws IOException {
        JwtAuthenticator.VerifiedJwt verified;
        try {
            verified = jwt.verify(token);
        } catch (JwtAuthenticator.InvalidTokenException e) {
            unauthorized(response, e.getMessage());
            return Optional.empty();
        }
        // Through RLS with the token's organization: a user of another organization is not found.
        Optional<TenancyModels.User> user = users.find(verified.orgId(), verified.userId());
        if (user.isEmpty()) {
            unauthorized(response, "the JWT's user does not exist in its organization");
            return Optional.empty();
        }
        return Optional.of(new Principal("user:" + verified.userId(), verified.orgId(), verified.userId(),
                Scopes.ofRole(user.get().role())));
    }

    private void unauthorized(HttpServletResponse response, String detail) throws IOException {
        write(response, Problems.problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail),
                Map.of(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\""));
    }

    private void forbidden(HttpServletResponse response, String detail) throws IOException {
        write(response, Problems.problem(HttpStatus.FORBIDDEN, "insufficient-scope", "Forbidden", detail), Map.of());
    }

    private void write(HttpServletResponse response, ProblemDetail problem, Map<String, String> headers) throws IOException {
        Problems.write(response, problem, null, headers, json);
    }
}
