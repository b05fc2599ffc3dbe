package io.switchboard.server.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/** Requests and responses of the tenancy API. */
final class TenancyModels {
    private TenancyModels() {
    }

    static final Set<String> ROLES = Set.of("org-admin", "member");

    record Organization(UUID id, String name, Instant createdAt) {
    }

    record User(UUID id, UUID orgId, String email, String name, String role, Instant createdAt) {
    }

    /** An API key as listed: never its secret. */
    record ApiKey(UUID id, UUID orgId, String prefix, String name, List<String> scopes, Instant createdAt,
                  Instant lastUsedAt, Instant revokedAt) {
    }

    /** The one response that carries the full key: the answer to its creation. */
    record CreatedApiKey(UUID id, UUID orgId, String prefix, String name, List<String> scopes, Instant createdAt, String key) {
        @Override
        public String toString() {
            return "CreatedApiKey[id=" + id + ", prefix=" + prefix + "]";
        }
    }

    record CreateOrganization(String name) {
        CreateOrganization {
            name = requireText("name", name, 200);
        }
    }

    /** {@code orgId} is optional; when given it must be the caller's own organization. */
    record CreateUser(UUID orgId, String email, String name, String role) {
        CreateUser {
            email = requireText("email", email, 320).toLowerCase(Locale.ROOT);
            if (!email.matches("[^@\\s]+@[^@\\s]+")) {
                throw new IllegalArgumentException("'email' must be an e-mail address such as ada@example.com");
            }
            name = requireText("name", name, 200);
            role = role == null ? "member" : requireRole(role);
        }
    }

    /** Changes only the fields given. */
    record UpdateUser(UUID orgId, String name, String role) {
        UpdateUser {
            if (name == null && role == null) {
                throw new IllegalArgumentException("give 'name' or 'role' to change");
            }
            name = name == null ? null : requireText("name", name, 200);
            role = role == null ? null : requireRole(role);
        }
    }

    /** {@code scopes} default to org:read and org:write. */
    record CreateApiKey(UUID orgId, String name, List<String> scopes) {
        CreateApiKey {
            name = requireText("name", name, 200);
            if (scopes == null) {
                scopes = Scopes.DEFAULT_ORG_KEY_SCOPES;
            } else if (scopes.isEmpty()) {
                throw new IllegalArgumentException("'scopes' must not be empty; known scopes: " + sorted(Scopes.ORG_SCOPES));
            }
            for (String scope : scopes) {
                if (scope == null || !Scopes.ORG_SCOPES.contains(scope)) {
                    throw new IllegalArgumentException("unknown scope '" + scope + "' for an organization key; known scopes: "
                            + sorted(Scopes.ORG_SCOPES));
                }
            }
            scopes = scopes.stream().distinct().sorted().toList();
        }
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }

    private static String requireRole(String role) {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("'role' must be one of " + sorted(ROLES) + ", got '" + role + "'");
        }
        return role;
    }

    static String requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + field + "' is required");
        }
        String trimmed = value.strip();
        if (trimmed.length() > maxLength) {
            throw new IllegalArgumentException("'" + field + "' must be at most " + maxLength + " characters");
        }
        return trimmed;
    }
}
