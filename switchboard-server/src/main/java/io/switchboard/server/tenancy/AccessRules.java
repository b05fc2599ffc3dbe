package io.switchboard.server.tenancy;

import java.util.List;

/**
 * Which scope each part of /api needs. Paths not listed need {@link Scopes#PLATFORM_ADMIN}: a new endpoint is
 * closed to tenants until it is listed here.
 */
final class AccessRules {
    /** The scope a request needs and whether it works on the caller's organization. */
    record Rule(String scope, boolean tenant) {
    }

    private static final List<String> TENANT_ROOTS = List.of("/api/org", "/api/users", "/api/api-keys",
            "/api/webhook-events", "/api/webhooks", "/api/webhook-sources");

    private AccessRules() {
    }

    static Rule forRequest(String method, String path) {
        for (String root : TENANT_ROOTS) {
            if (path.equals(root) || path.startsWith(root + "/")) {
                boolean read = "GET".equals(method) || "HEAD".equals(method);
                return new Rule(read ? Scopes.ORG_READ : Scopes.ORG_WRITE, true);
            }
        }
        // /api/admin/** and the engine APIs shared by every tenant: jobs, queues, schedules, leases, instances.
        return new Rule(Scopes.PLATFORM_ADMIN, false);
    }
}
