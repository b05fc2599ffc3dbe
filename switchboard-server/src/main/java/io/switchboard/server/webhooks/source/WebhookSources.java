package io.switchboard.server.webhooks.source;

import io.switchboard.db.Columns;
import io.switchboard.server.tenancy.TenantDatabase;
import io.switchboard.server.webhooks.source.SourceModels.CreateSource;
import io.switchboard.server.webhooks.source.SourceModels.Secret;
import io.switchboard.server.webhooks.source.SourceModels.Source;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tenant's webhook sources and their encrypted secrets. API operations run in the caller's tenant (RLS);
 * {@link #forIngestion} looks a source up by id alone, as the unauthenticated webhook endpoint must, and keeps it
 * for a few seconds so a burst does not read and decrypt the same rows per request (changes made through this
 * instance apply at once, through others within {@link #CACHE_TTL}).
 */
public class WebhookSources {
    static final Duration CACHE_TTL = Duration.ofSeconds(5);

    private static final String INSERT_SOURCE = """
            INSERT INTO app.webhook_sources (id, org_id, provider, name, options) VALUES (?, ?, ?, ?, ?::jsonb)""";
    private static final String INSERT_SECRET = """
            INSERT INTO app.webhook_source_secrets (id, org_id, source_id, ciphertext, hint) VALUES (?, ?, ?, ?, ?)""";
    private static final String SELECT_SOURCES = """
            SELECT s.id, s.provider, s.name, s.options::text, s.created_at, s.disabled_at,
                   k.id, k.hint, k.created_at, k.expires_at
            FROM (SELECT * FROM app.webhook_sources WHERE (?::uuid IS NULL OR id = ?::uuid)
                  ORDER BY created_at, id LIMIT ?) s
            LEFT JOIN app.webhook_source_secrets k ON k.source_id = s.id
            ORDER BY s.created_at, s.id, k.created_at, k.id""";
    private static final String ACTIVE_SECRET_COUNT = """
            SELECT count(*) FROM app.webhook_source_secrets WHERE source_id = ? AND (expires_at IS NULL OR expires_at > now())""";
    private static final String LOCK_ENABLED_SOURCE = """
            SELECT provider FROM app.webhook_sources WHERE id = ? AND disabled_at IS NULL FOR UPDATE""";
    private static final String EXPIRE_SECRET = """
            UPDATE app.webhook_source_secrets SET expires_at = LEAST(coalesce(expires_at, 'infinity'), now() + ?::interval)
            WHERE id = ? AND source_id = ?
            RETURNING id, hint, created_at, expires_at""";
    private static final String DISABLE = """
            UPDATE app.webhook_sources SET disabled_at = coalesce(disabled_at, now()) WHERE id = ? RETURNING id""";
    private static final String FOR_INGESTION = """
            SELECT s.org_id, s.provider, s.options::text, s.disabled_at IS NOT NULL, k.source_id IS NOT NULL, k.ciphertext,
                   k.expires_at
            FROM app.webhook_sources s LEFT JOIN app.webhook_source_secrets k ON k.source_id = s.id
                 AND (k.expires_at IS NULL OR k.expires_at > now())
            WHERE s.id = ?""";

    /** What the webhook endpoint needs of a source: its tenant, provider, options and active secrets in clear. */
    public record IngestionSource(UUID id, UUID orgId, String provider, Map<String, String> options, boolean disabled,
                                  List<ActiveSecret> secrets) {
        /** The secrets still active at {@code now} (an expiry may pass while the source is cached). */
        public List<String> secretsAt(Instant now) {
            return secrets.stream().filter(s -> s.expiresAt() == null || s.expiresAt().isAfter(now)).map(ActiveSecret::secret).toList();
        }
    }

    /** A decrypted secret; never logged, never returned by the API. */
    public record ActiveSecret(String secret, Instant expiresAt) {
        @Override
        public String toString() {
            return "ActiveSecret[secret=<hidden>, expiresAt=" + expiresAt + "]";
        }
    }

    private record Cached(Optional<IngestionSource> source, long loadedNanos) {
    }

    private final TenantDatabase database;
    private final Optional<SecretCipher> cipher;
    private final SourceRules rules;
    private final JsonMapper json;
    private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();

    WebhookSources(TenantDatabase database, Optional<SecretCipher> cipher, SourceRules rules, JsonMapper json) {
        this.database = database;
        this.cipher = cipher;
        this.rules = rules;
        this.json = json;
    }

    Source create(UUID orgId, CreateSource request) {
        String provider = rules.provider(request.provider());
        String name = SourceRules.name(request.name());
        Map<String, String> options = SourceRules.options(provider, request.options());
        List<String> secrets = SourceRules.secrets(provider, request.secrets());
        SecretCipher cipher = requireCipher();
        UUID id = UUID.randomUUID();
        String optionsJson = json.writeValueAsString(options);
        database.inTenant(orgId, connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_SOURCE)) {
                insert.setObject(1, id);
                insert.setObject(2, orgId);
                insert.setString(3, provider);
                insert.setString(4, name);
                insert.setString(5, optionsJson);
                insert.executeUpdate();
            }
            for (String secret : secrets) {
                insertSecret(connection, cipher, orgId, id, secret);
            }
            return null;
        });
        return find(orgId, id).orElseThrow();
    }

    List<Source> list(UUID orgId, int limit) {
        return database.inTenant(orgId, connection -> select(connection, null, limit));
    }

    Optional<Source> find(UUID orgId, UUID id) {
        return database.inTenant(orgId, connection -> select(connection, id, 1)).stream().findFirst();
    }

    /** Adds an active secret to an enabled source; empty when there is no such source. */
    Optional<Secret> addSecret(UUID orgId, UUID sourceId, String secret) {
        SecretCipher cipher = requireCipher();
        Optional<Secret> added = database.inTenant(orgId, connection -> {
            Optional<String> provider = lockEnabled(connection, sourceId);
            if (provider.isEmpty()) {
                return Optional.<Secret>empty();
            }
            SourceRules.secret(provider.get(), secret, "secret");
            if (activeSecrets(connection, sourceId) >= SourceRules.MAX_SECRETS) {
                throw new SourceErrors.ConflictException("the source already has " + SourceRules.MAX_SECRETS
                        + " active secrets; expire one first");
            }
            UUID secretId = insertSecret(connection, cipher, orgId, sourceId, secret);
            return select(connection, sourceId, 1).getFirst().secrets().stream().filter(s -> s.id().equals(secretId)).findFirst();
        });
        cache.remove(sourceId);
        return added;
    }

    /**
     * Makes a secret stop verifying after {@code grace} (zero: now); an earlier expiry is kept. The last active
     * secret of an enabled source cannot be expired: add its successor first.
     */
    Optional<Secret> expireSecret(UUID orgId, UUID sourceId, UUID secretId, Duration grace) {
        if (grace.isNegative() || grace.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("'graceSeconds' must be between 0 and " + Duration.ofDays(30).toSeconds());
        }
        Optional<Secret> expired = database.inTenant(orgId, connection -> {
            if (lockEnabled(connection, sourceId).isEmpty()) {
                return Optional.<Secret>empty();
            }
            Optional<Secret> secret;
            try (PreparedStatement update = connection.prepareStatement(EXPIRE_SECRET)) {
                update.setString(1, grace.toMillis() + " milliseconds");
                update.setObject(2, secretId);
                update.setObject(3, sourceId);
                try (ResultSet rs = update.executeQuery()) {
                    secret = rs.next() ? Optional.of(secret(rs, 1)) : Optional.empty();
                }
            }
            if (secret.isPresent() && grace.isZero() && activeSecrets(connection, sourceId) == 0) {
                // Rolled back with the transaction: nothing changes.
                throw new SourceErrors.ConflictException("this is the source's last active secret; add another one first "
                        + "or disable the source");
            }
            return secret;
        });
        cache.remove(sourceId);
        return expired;
    }

    /** Disables a source: its webhooks get 404 from now on; its events and history stay. */
    Optional<Source> disable(UUID orgId, UUID sourceId) {
        Optional<Source> disabled = database.inTenant(orgId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(DISABLE)) {
                update.setObject(1, sourceId);
                try (ResultSet rs = update.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Source>empty();
                    }
                }
            }
            return select(connection, sourceId, 1).stream().findFirst();
        });
        cache.remove(sourceId);
        return disabled;
    }

    /** The source with {@code id} across all tenants, with its active secrets decrypted; empty when there is none. */
    public Optional<IngestionSource> forIngestion(UUID id) {
        Cached cached = cache.get(id);
        if (cached != null && System.nanoTime() - cached.loadedNanos() < CACHE_TTL.toNanos()) {
            return cached.source();
        }
        Optional<IngestionSource> loaded = database.asPlatform(connection -> loadForIngestion(connection, id));
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(id, new Cached(loaded, System.nanoTime()));
        return loaded;
    }

    private Optional<IngestionSource> loadForIngestion(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(FOR_INGESTION)) {
            select.setObject(1, id);
            try (ResultSet rs = select.executeQuery()) {
                IngestionSource source = null;
                List<ActiveSecret> secrets = new ArrayList<>();
                while (rs.next()) {
                    if (source == null) {
                        source = new IngestionSource(id, rs.getObject(1, UUID.class), rs.getString(2), options(rs.getString(3)),
                                rs.getBoolean(4), secrets);
                    }
                    if (rs.getBoolean(5) && !source.disabled()) {
                        secrets.add(new ActiveSecret(requireCipher().decrypt(id, rs.getBytes(6)), Columns.instant(rs, 7)));
                    }
                }
                return source == null ? Optional.empty()
                        : Optional.of(new IngestionSource(id, source.orgId(), source.provider(), source.options(),
                        source.disabled(), List.copyOf(secrets)));
            }
        }
    }

    private SecretCipher requireCipher() {
        return cipher.orElseThrow(SourceErrors.SecretKeyMissingException::new);
    }

    private static UUID insertSecret(Connection connection, SecretCipher cipher, UUID orgId, UUID sourceId, String secret)
            throws SQLException {
        UUID secretId = UUID.randomUUID();
        try (PreparedStatement insert = connection.prepareStatement(INSERT_SECRET)) {
            insert.setObject(1, secretId);
            insert.setObject(2, orgId);
            insert.setObject(3, sourceId);
            insert.setBytes(4, cipher.encrypt(sourceId, secret));
            insert.setString(5, "..." + secret.substring(secret.length() - 4));
            insert.executeUpdate();
        }
        return secretId;
    }

    private static Optional<String> lockEnabled(Connection connection, UUID sourceId) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(LOCK_ENABLED_SOURCE)) {
            lock.setObject(1, sourceId);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static long activeSecrets(Connection connection, UUID sourceId) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(ACTIVE_SECRET_COUNT)) {
            count.setObject(1, sourceId);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private List<Source> select(Connection connection, UUID id, int limit) throws SQLException {
        Map<UUID, Source> sources = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_SOURCES)) {
            select.setObject(1, id);
            select.setObject(2, id);
            select.setInt(3, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    UUID sourceId = rs.getObject(1, UUID.class);
                    Source source = sources.get(sourceId);
                    if (source == null) {
                        String provider = rs.getString(2);
                        source = new Source(sourceId, provider, rs.getString(3), options(rs.getString(4)),
                                SourceModels.ingestionPath(provider, sourceId), Columns.instant(rs, 5), Columns.instant(rs, 6),
                                new ArrayList<>());
                        sources.put(sourceId, source);
                    }
                    if (rs.getObject(7) != null) {
                        source.secrets().add(secret(rs, 7));
                    }
                }
            }
        }
        return sources.values().stream().map(s -> new Source(s.id(), s.provider(), s.name(), s.options(), s.ingestionPath(),
                s.createdAt(), s.disabledAt(), List.copyOf(s.secrets()))).toList();
    }

    private static Secret secret(ResultSet rs, int first) throws SQLException {
        return new Secret(rs.getObject(first, UUID.class), rs.getString(first + 1), Columns.instant(rs, first + 2),
                Columns.instant(rs, first + 3));
    }

    private Map<String, String> options(String text) {
        return Map.copyOf(json.readValue(text, new TypeReference<Map<String, String>>() {
        }));
    }
}
