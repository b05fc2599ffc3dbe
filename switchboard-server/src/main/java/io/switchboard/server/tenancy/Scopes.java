package io.switchboard.server.tenancy;

import java.util.List;
import java.util.Set;

/** The scopes a credential can carry. */
public final class Scopes {
    /** Everything under /api/admin and the engine APIs shared by all tenants (jobs, queues, schedules, ...). */
    public static final String PLATFORM_ADMIN = "platform-admin";
    /** Read the own organization, its users and API keys. */
    public static final String ORG_READ = "org:read";
    /** Create, change and delete users and API keys of the own organization. */
    public static final String ORG_WRITE = "org:write";

    /** The scopes an organization's API key may have. */
    public static final Set<String> ORG_SCOPES = Set.of(ORG_READ, ORG_WRITE);
    /** Scopes of a new organization key when none are asked for. */
    public static final List<String> DEFAULT_ORG_KEY_SCOPES = List.of(ORG_READ, ORG_WRITE);

    private Scopes() {
    }

    /** The scopes of a user signed in with a JWT, by role. */
    static Set<String> ofRole(String role) {
        return "org-admin".equals(role) ? Set.of(ORG_READ, ORG_WRITE) : Set.of(ORG_READ);
    }
}
