package io.switchboard.server.tenancy;

import io.switchboard.server.tenancy.TenancyModels.ApiKey;
import io.switchboard.server.tenancy.TenancyModels.CreateApiKey;
import io.switchboard.server.tenancy.TenancyModels.CreateUser;
import io.switchboard.server.tenancy.TenancyModels.CreatedApiKey;
import io.switchboard.server.tenancy.TenancyModels.Organization;
import io.switchboard.server.tenancy.TenancyModels.UpdateUser;
import io.switchboard.server.tenancy.TenancyModels.User;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The caller's own organization, its users and API keys. The organization always comes from the credential;
 * every statement runs through RLS, so another organization's ids are simply not found (404).
 */
@RestController
class TenancyController {
    static final int MAX_LIMIT = 1000;

    private final Organizations organizations;
    private final Users users;
    private final ApiKeys apiKeys;

    TenancyController(Organizations organizations, Users users, ApiKeys apiKeys) {
        this.organizations = organizations;
        this.users = users;
        this.apiKeys = apiKeys;
    }

    @GetMapping("/api/org")
    Organization organization(@RequestAttribute(Principal.ATTRIBUTE) Principal principal) {
        return organizations.find(principal.orgId())
                .orElseThrow(() -> new TenancyErrors.NotFoundException("no organization " + principal.orgId()));
    }

    @GetMapping("/api/users")
    Map<String, List<User>> users(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                  @RequestParam(defaultValue = "100") int limit) {
        return Map.of("users", users.list(principal.orgId(), checkLimit(limit)));
    }

    @PostMapping("/api/users")
    ResponseEntity<User> createUser(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @RequestBody CreateUser request) {
        requireSameOrg(principal.orgId(), request.orgId());
        User created = users.create(principal.orgId(), request);
        return ResponseEntity.created(URI.create("/api/users/" + created.id())).body(created);
    }

    @GetMapping("/api/users/{id}")
    User user(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id) {
        return users.find(principal.orgId(), id).orElseThrow(() -> userNotFound(id));
    }

    @PatchMapping("/api/users/{id}")
    User updateUser(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id,
                    @RequestBody UpdateUser request) {
        requireSameOrg(principal.orgId(), request.orgId());
        return users.update(principal.orgId(), id, request).orElseThrow(() -> userNotFound(id));
    }

    @DeleteMapping("/api/users/{id}")
    ResponseEntity<Void> deleteUser(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id) {
        if (!users.delete(principal.orgId(), id)) {
            throw userNotFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/api-keys")
    Map<String, List<ApiKey>> apiKeys(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                      @RequestParam(defaultValue = "100") int limit) {
        return Map.of("apiKeys", apiKeys.list(principal.orgId(), checkLimit(limit)));
    }

    @PostMapping("/api/api-keys")
    ResponseEntity<CreatedApiKey> createApiKey(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                               @RequestBody CreateApiKey request) {
        requireSameOrg(principal.orgId(), request.orgId());
        for (String scope : request.scopes()) {
            if (!principal.has(scope)) {
                // No escalation: a key never gets more than the credential that made it.
                throw new IllegalArgumentException("cannot grant scope '" + scope + "' that this credential does not have");
            }
        }
        CreatedApiKey created = apiKeys.create(principal.orgId(), request.name(), request.scopes());
        return ResponseEntity.created(URI.create("/api/api-keys/" + created.id())).body(created);
    }

    @DeleteMapping("/api/api-keys/{id}")
    ApiKey revokeApiKey(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id) {
        return apiKeys.revoke(principal.orgId(), id)
                .orElseThrow(() -> new TenancyErrors.NotFoundException("no API key " + id));
    }

    /** A body may name the organization only if it is the caller's; another one is "not found", like in a path. */
    static void requireSameOrg(UUID callerOrg, UUID bodyOrg) {
        if (bodyOrg != null && !bodyOrg.equals(callerOrg)) {
            throw new TenancyErrors.NotFoundException("no organization " + bodyOrg);
        }
    }

    static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return limit;
    }

    private static TenancyErrors.NotFoundException userNotFound(UUID id) {
        return new TenancyErrors.NotFoundException("no user " + id);
    }
}
