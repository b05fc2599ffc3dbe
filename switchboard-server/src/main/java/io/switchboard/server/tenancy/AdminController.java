package io.switchboard.server.tenancy;

import io.switchboard.server.tenancy.TenancyModels.CreateApiKey;
import io.switchboard.server.tenancy.TenancyModels.CreateOrganization;
import io.switchboard.server.tenancy.TenancyModels.CreateUser;
import io.switchboard.server.tenancy.TenancyModels.CreatedApiKey;
import io.switchboard.server.tenancy.TenancyModels.Organization;
import io.switchboard.server.tenancy.TenancyModels.User;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Platform admin: organizations, and their first users and keys. The filter lets only platform-admin scope in. */
@RestController
@RequestMapping("/api/admin/orgs")
class AdminController {
    private final Organizations organizations;
    private final Users users;
    private final ApiKeys apiKeys;

    AdminController(Organizations organizations, Users users, ApiKeys apiKeys) {
        this.organizations = organizations;
        this.users = users;
        this.apiKeys = apiKeys;
    }

    @PostMapping
    ResponseEntity<Organization> create(@RequestBody CreateOrganization request) {
        Organization created = organizations.create(request.name());
        return ResponseEntity.created(URI.create("/api/admin/orgs/" + created.id())).body(created);
    }

    @GetMapping
    Map<String, List<Organization>> list(@RequestParam(defaultValue = "100") int limit) {
        return Map.of("organizations", organizations.list(TenancyController.checkLimit(limit)));
    }

    @PostMapping("/{orgId}/users")
    ResponseEntity<User> createUser(@PathVariable UUID orgId, @RequestBody CreateUser request) {
        TenancyController.requireSameOrg(orgId, request.orgId());
        User created = users.create(orgId, request);
        return ResponseEntity.created(URI.create("/api/users/" + created.id())).body(created);
    }

    @PostMapping("/{orgId}/api-keys")
    ResponseEntity<CreatedApiKey> createApiKey(@PathVariable UUID orgId, @RequestBody CreateApiKey request) {
        TenancyController.requireSameOrg(orgId, request.orgId());
        CreatedApiKey created = apiKeys.create(orgId, request.name(), request.scopes());
        return ResponseEntity.created(URI.create("/api/api-keys/" + created.id())).body(created);
    }
}
