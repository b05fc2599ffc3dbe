package io.switchboard.server.tenancy;

import java.util.Set;
import java.util.UUID;

/**
 * Who made an authenticated request.
 *
 * @param client the client's name for rate limits and logs: {@code key:<prefix>} or {@code user:<uuid>}
 * @param orgId  the organization whose data the request works on; {@code null} for the platform admin
 * @param userId the user behind a JWT; {@code null} for an API key
 * @param scopes what the credential may do (see {@link Scopes})
 */
public record Principal(String client, UUID orgId, UUID userId, Set<String> scopes) {
    /** Request attribute holding the {@link Principal}. */
    public static final String ATTRIBUTE = "switchboard.principal";
    /** Request attribute holding {@link #client()}; read by the rate-limit and logging filters. */
    public static final String CLIENT_ATTRIBUTE = "switchboard.client";
    /** Request attribute holding the organization id as a string; absent for the platform admin. */
    public static final String ORG_ATTRIBUTE = "switchboard.org";

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    public boolean has(String scope) {
        return scopes.contains(scope);
    }
}
