package io.switchboard.server.tenancy;

import java.util.Optional;

/** Issues platform-admin API keys: the bootstrap key, and keys for operators and tests. */
public class PlatformKeys {
    private final ApiKeys apiKeys;
    private final TenantDatabase database;

    PlatformKeys(ApiKeys apiKeys, TenantDatabase database) {
        this.apiKeys = apiKeys;
        this.database = database;
    }

    /** A new platform-admin key; the returned string is the only copy of it. */
    public String issue(String name) {
        return apiKeys.createPlatformKey(TenancyModels.requireText("name", name, 200)).key();
    }

    /**
     * A new platform-admin key if none exists yet, else empty. Serialised across instances starting together by a
     * transaction-scoped advisory lock, so at most one bootstrap key is ever created.
     */
    Optional<TenancyModels.CreatedApiKey> bootstrap() {
        return database.asPlatform(c -> {
            try (var lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('switchboard.bootstrap-admin-key'))")) {
                lock.executeQuery().close();
            }
            try (var s = c.prepareStatement("SELECT EXISTS (SELECT FROM app.api_keys WHERE org_id IS NULL)");
                 var rs = s.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return Optional.empty();
                }
            }
            return Optional.of(ApiKeys.insert(c, null, "bootstrap", java.util.List.of(Scopes.PLATFORM_ADMIN)));
        });
    }
}
