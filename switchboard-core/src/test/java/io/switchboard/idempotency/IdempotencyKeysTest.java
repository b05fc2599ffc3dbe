package io.switchboard.idempotency;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.db.SchemaMigration;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdempotencyKeysTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    private static DataSource ds;
    private SimpleMeterRegistry meters;
    private IdempotencyKeys keys;

    @BeforeAll
    static void migrate() {
        ds = db.dataSource(25);
        SchemaMigration.migrate(ds);
    }

    @BeforeEach
    void setUp() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE switchboard.idempotency_keys");
        }
        meters = new SimpleMeterRegistry();
        keys = new IdempotencyKeys(ds, IdempotencyOptions.DEFAULT, meters);
    }

    private static StoredResponse created(String body) {
        return new StoredResponse(201, "application/json", Map.of("Location", "/api/jobs/7"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void firstRequestProceedsAndItsRetryReplaysTheStoredResponse() {
        Claim first = keys.begin("client-a", "key-1", "fp-1");
        assertThat(first).isInstanceOf(Claim.Proceed.class);
        assertThat(keys.complete(((Claim.Proceed) first).token(), created("{\"id\":7}"))).isTrue();

        Claim retry = keys.begin("client-a", "key-1", "fp-1");
        assertThat(retry).isInstanceOf(Claim.Replay.class);
        StoredResponse replayed = ((Claim.Replay) retry).response();
        assertThat(replayed.status()).isEqualTo(201);
        assertThat(replayed.contentType()).isEqualTo("application/json");
        assertThat(replayed.headers()).containsExactly(Map.entry("Location", "/api/jobs/7"));
        assertThat(new String(replayed.body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":7}");
        assertThat(counted("proceed")).isEqualTo(1);
        assertThat(counted("replay")).isEqualTo(1);
    }

    @Test
    void theClaimsRelaxedCommitDoesNotLeakIntoTheConnectionsNextTransactions() throws Exception {
        DataSource single = db.dataSource(1);
        IdempotencyKeys onOneConnection = new IdempotencyKeys(single, IdempotencyOptions.DEFAULT, meters);
        assertThat(onOneConnection.begin("client-a", "key-sync", "fp")).isInstanceOf(Claim.Proceed.class);
        try (Connection c = single.getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("on");
        }
    }

    @Test
    void insideACallersTransactionTheClaimIsPartOfIt() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            IdempotencyKeys onThatConnection = new IdempotencyKeys(new SingleConnection(c), IdempotencyOptions.DEFAULT, meters);
            assertThat(onThatConnection.begin("client-a", "key-tx", "fp")).isInstanceOf(Claim.Proceed.class);
            c.rollback();
        }
        assertThat(keys.begin("client-a", "key-tx", "fp-other"))
                .as("the rolled-back claim left nothing: another request may take the key").isInstanceOf(Claim.Proceed.class);
    }

    @Test
    void insideATransactionTheKeyIsWrittenOnlyWithItsResponse() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            IdempotencyKeys onThatConnection = new IdempotencyKeys(new SingleConnection(c), IdempotencyOptions.DEFAULT, meters);
            Claim.Proceed proceed = (Claim.Proceed) onThatConnection.begin("client-a", "key-late-row", "fp");
            assertThat(rowsOf(c, "key-late-row")).as("the claim only reads").isZero();

            assertThat(onThatConnection.complete(proceed.token(), created("{\"id\":3}"))).isTrue();
            assertThat(rowsOf(c, "key-late-row")).isEqualTo(1);
            c.commit();
        }
        Claim retry = keys.begin("client-a", "key-late-row", "fp");
        assertThat(retry).isInstanceOf(Claim.Replay.class);
        assertThat(new String(((Claim.Replay) retry).response().body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":3}");
    }

    @Test
    void aKeyClaimedOutsideATransactionCanBeCompletedInsideOneButNotAnotherHoldersKey() throws Exception {
        Claim.Proceed outside = (Claim.Proceed) keys.begin("client-a", "key-mixed", "fp");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            IdempotencyKeys onThatConnection = new IdempotencyKeys(new SingleConnection(c), IdempotencyOptions.DEFAULT, meters);
            IdempotencyToken stranger = new IdempotencyToken("client-a", "key-mixed", outside.token().fencingToken() + 1, "fp");
            assertThat(onThatConnection.complete(stranger, created("{}"))).as("someone else's in-flight key").isFalse();
            assertThat(onThatConnection.complete(outside.token(), created("{\"id\":4}"))).isTrue();
            c.commit();
        }
        assertThat(keys.begin("client-a", "key-mixed", "fp")).isInstanceOf(Claim.Replay.class);
    }

    @Test
    void storedAtCommitWithoutAClaimTheFirstRequestWinsAndItsRetryIsToldWhatStands() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            IdempotencyKeys onThatConnection = new IdempotencyKeys(new SingleConnection(c), IdempotencyOptions.DEFAULT, meters);
            assertThat(onThatConnection.storeIfAbsent("client-a", "key-late", "fp", created("{\"id\":5}")))
                    .isInstanceOf(Claim.Proceed.class);
            c.commit();
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            IdempotencyKeys onThatConnection = new IdempotencyKeys(new SingleConnection(c), IdempotencyOptions.DEFAULT, meters);
            Claim retry = onThatConnection.storeIfAbsent("client-a", "key-late", "fp", created("{\"id\":6}"));
            assertThat(retry).isInstanceOf(Claim.Replay.class);
            assertThat(new String(((Claim.Replay) retry).response().body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":5}");
            assertThat(onThatConnection.storeIfAbsent("client-a", "key-late", "fp-other", created("{}")))
                    .isInstanceOf(Claim.FingerprintMismatch.class);
            c.rollback();
        }
        assertThat(keys.lookup("client-a", "key-late", "fp")).get().isInstanceOf(Claim.Replay.class);
        assertThat(keys.lookup("client-a", "key-absent", "fp")).isEmpty();
        assertThatThrownBy(() -> keys.storeIfAbsent("client-a", "key-x", "fp", created("{}")))
                .as("auto-commit: no transaction for the request's writes to share").isInstanceOf(IllegalStateException.class);
        assertThat(rowsOf(ds, "key-x")).isZero();
    }

    @Test
    void storeAndCommitCommitsTheCallersWritesWithTheKeyOrNothingAtAll() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS public.idempotency_effects (tag text)");
        }
        try (Connection first = ds.getConnection(); Connection second = ds.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            IdempotencyKeys onFirst = new IdempotencyKeys(new SingleConnection(first), IdempotencyOptions.DEFAULT, meters);
            IdempotencyKeys onSecond = new IdempotencyKeys(new SingleConnection(second), IdempotencyOptions.DEFAULT, meters);
            first.createStatement().execute("INSERT INTO public.idempotency_effects VALUES ('first')");
            second.createStatement().execute("INSERT INTO public.idempotency_effects VALUES ('second')");
            // The first takes the key's lock (its transaction stays open): the second cannot store while it runs.
            assertThat(onFirst.storeIfAbsent("client-a", "key-commit", "fp", created("{\"id\":1}")))
                    .isInstanceOf(Claim.Proceed.class);
            assertThat(onSecond.storeAndCommit("client-a", "key-commit", "fp", created("{\"id\":2}"))).isFalse();
            second.rollback();
            first.commit();

            second.createStatement().execute("INSERT INTO public.idempotency_effects VALUES ('second again')");
            assertThat(onSecond.storeAndCommit("client-a", "key-commit", "fp", created("{\"id\":2}")))
                    .as("the first request's row stands").isFalse();
            second.rollback();

            second.createStatement().execute("INSERT INTO public.idempotency_effects VALUES ('third')");
            assertThat(onSecond.storeAndCommit("client-a", "key-other", "fp", created("{\"id\":3}"))).isTrue();
            assertThat(second.getAutoCommit()).isFalse();
            second.commit(); // nothing left to commit: no error
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(tag, ',' ORDER BY tag) FROM public.idempotency_effects")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("first,third");
        } finally {
            try (Connection c = ds.getConnection()) {
                c.createStatement().execute("DROP TABLE public.idempotency_effects");
            }
        }
        Claim stored = keys.lookup("client-a", "key-other", "fp").orElseThrow();
        assertThat(new String(((Claim.Replay) stored).response().body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":3}");
    }

    private static long rowsOf(DataSource source, String key) throws Exception {
        try (Connection c = source.getConnection()) {
            return rowsOf(c, key);
        }
    }

    private static long rowsOf(Connection c, String key) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM switchboard.idempotency_keys WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aRequestInAnOpenTransactionIsInFlightToAnotherWithoutBlockingItAndIsReplayedOnceCommitted() throws Exception {
        try (Connection first = ds.getConnection(); Connection second = ds.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            IdempotencyKeys onFirst = new IdempotencyKeys(new SingleConnection(first), IdempotencyOptions.DEFAULT, meters);
            IdempotencyKeys onSecond = new IdempotencyKeys(new SingleConnection(second), IdempotencyOptions.DEFAULT, meters);
            Claim.Proceed proceed = (Claim.Proceed) onFirst.begin("client-a", "key-open-tx", "fp");

            // The first claim's row is not committed: only its advisory lock tells the second request.
            second.createStatement().execute("SET LOCAL lock_timeout = '2s'");
            assertThat(onSecond.begin("client-a", "key-open-tx", "fp")).isInstanceOf(Claim.InFlight.class);
            assertThat(onSecond.begin("client-a", "key-open-tx", "fp-other")).isInstanceOf(Claim.InFlight.class);
            assertThat(onSecond.begin("client-a", "another-key", "fp")).isInstanceOf(Claim.Proceed.class);
            second.rollback();

            assertThat(onFirst.complete(proceed.token(), new StoredResponse(201, "application/json", Map.of(),
                    "{\"id\":1}".getBytes(StandardCharsets.UTF_8)))).isTrue();
            first.commit();

            Claim retry = onSecond.begin("client-a", "key-open-tx", "fp");
            assertThat(retry).isInstanceOf(Claim.Replay.class);
            assertThat(((Claim.Replay) retry).response().status()).isEqualTo(201);
            assertThat(onSecond.begin("client-a", "key-open-tx", "fp-other")).isInstanceOf(Claim.FingerprintMismatch.class);
            second.rollback();
        }
    }

    @Test
    void sameKeyForADifferentRequestIsAMismatchWhetherInFlightOrCompleted() {
        Claim.Proceed first = (Claim.Proceed) keys.begin("client-a", "key-1", "fp-1");
        assertThat(keys.begin("client-a", "key-1", "fp-2")).isInstanceOf(Claim.FingerprintMismatch.class);
        keys.complete(first.token(), created("{}"));
        assertThat(keys.begin("client-a", "key-1", "fp-2")).isInstanceOf(Claim.FingerprintMismatch.class);
        assertThat(keys.begin("client-a", "key-1", "fp-1")).isInstanceOf(Claim.Replay.class);
        assertThat(counted("mismatch")).isEqualTo(2);
    }

    @Test
    void retryWhileTheFirstRequestRunsIsInFlightWithTheLeaseLeft() {
        keys.begin("client-a", "key-1", "fp-1");
        Claim retry = keys.begin("client-a", "key-1", "fp-1");
        assertThat(retry).isInstanceOf(Claim.InFlight.class);
        Duration left = ((Claim.InFlight) retry).leaseRemaining();
        assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void concurrentRequestsWithOneKeyLetExactlyOneProceed() throws Exception {
        int threads = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Claim>> claims = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                claims.add(pool.submit(() -> {
                    start.await();
                    return keys.begin("client-a", "race", "fp");
                }));
            }
            start.countDown();
            List<Claim> results = new ArrayList<>();
            for (Future<Claim> f : claims) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(c -> c instanceof Claim.Proceed).hasSize(1);
            assertThat(results).filteredOn(c -> c instanceof Claim.InFlight).hasSize(threads - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void releasedKeyLetsTheRetryRunAgain() {
        Claim.Proceed first = (Claim.Proceed) keys.begin("client-a", "key-1", "fp-1");
        assertThat(keys.release(first.token())).isTrue();
        assertThat(rows()).isZero();
        Claim retry = keys.begin("client-a", "key-1", "fp-1");
        assertThat(retry).isInstanceOf(Claim.Proceed.class);
        assertThat(((Claim.Proceed) retry).token().fencingToken()).isGreaterThan(first.token().fencingToken());
        assertThat(keys.release(first.token())).as("the old token releases nothing").isFalse();
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void inFlightKeyOfADeadRequestIsTakenOverAfterItsLeaseAndTheDeadHolderIsFencedOut() throws Exception {
        IdempotencyKeys shortLease = new IdempotencyKeys(ds,
                IdempotencyOptions.DEFAULT.withInFlightLease(Duration.ofMillis(300)), meters);
        Claim.Proceed dead = (Claim.Proceed) shortLease.begin("client-a", "key-1", "fp-1");
        assertThat(shortLease.begin("client-a", "key-1", "fp-1")).isInstanceOf(Claim.InFlight.class);

        Claim takeover = awaitNotInFlight(shortLease, "client-a", "key-1", "fp-1");
        assertThat(takeover).isInstanceOf(Claim.Proceed.class);
        Claim.Proceed successor = (Claim.Proceed) takeover;
        assertThat(successor.token().fencingToken()).isGreaterThan(dead.token().fencingToken());

        // The request that was given up for dead finishes late: neither its response nor its release counts.
        assertThat(shortLease.complete(dead.token(), created("{\"late\":true}"))).isFalse();
        assertThat(shortLease.release(dead.token())).isFalse();
        assertThat(shortLease.complete(successor.token(), created("{\"late\":false}"))).isTrue();
        Claim.Replay replay = (Claim.Replay) shortLease.begin("client-a", "key-1", "fp-1");
        assertThat(new String(replay.response().body(), StandardCharsets.UTF_8)).isEqualTo("{\"late\":false}");
    }

    @Test
    void lapsedInFlightKeyIsNotTakenOverByADifferentRequest() throws Exception {
        keys.begin("client-a", "key-1", "fp-1");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE switchboard.idempotency_keys SET locked_until = now() - interval '1 second'");
        }
        assertThat(keys.begin("client-a", "key-1", "fp-other")).isInstanceOf(Claim.FingerprintMismatch.class);
        assertThat(keys.begin("client-a", "key-1", "fp-1")).isInstanceOf(Claim.Proceed.class);
    }

    @Test
    void expiredKeyIsTreatedAsAbsentAndCanBeUsedForAnotherRequest() throws Exception {
        IdempotencyKeys shortLived = new IdempotencyKeys(ds, new IdempotencyOptions(Duration.ofSeconds(1),
                Duration.ofMillis(500), Duration.ofMinutes(10), 1000), meters);
        Claim.Proceed first = (Claim.Proceed) shortLived.begin("client-a", "key-1", "fp-1");
        shortLived.complete(first.token(), created("{}"));
        Instant deadline = Instant.now().plusSeconds(20);
        Claim again;
        do {
            Thread.sleep(100);
            again = shortLived.begin("client-a", "key-1", "fp-2");
        } while (again instanceof Claim.FingerprintMismatch && Instant.now().isBefore(deadline));
        assertThat(again).isInstanceOf(Claim.Proceed.class);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void expiredKeysAreReapedInBatchesAndLiveKeysStay() throws Exception {
        IdempotencyKeys smallBatches = new IdempotencyKeys(ds, new IdempotencyOptions(Duration.ofHours(24),
                Duration.ofSeconds(60), Duration.ofMinutes(10), 2), meters);
        for (int i = 0; i < 5; i++) {
            smallBatches.begin("client-a", "old-" + i, "fp");
        }
        smallBatches.begin("client-a", "live", "fp");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE switchboard.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key LIKE 'old-%'");
        }
        assertThat(smallBatches.reapExpired()).isEqualTo(5);
        assertThat(rows()).isEqualTo(1);
        assertThat(meters.counter("switchboard.idempotency.reaped").count()).isEqualTo(5);
        assertThat(smallBatches.begin("client-a", "old-0", "another")).isInstanceOf(Claim.Proceed.class);
        assertThat(smallBatches.begin("client-a", "live", "fp")).isInstanceOf(Claim.InFlight.class);
    }

    @Test
    void sameKeyInTwoScopesIsIndependent() {
        Claim.Proceed a = (Claim.Proceed) keys.begin("client-a", "shared-key", "fp-a");
        keys.complete(a.token(), created("{\"who\":\"a\"}"));
        Claim b = keys.begin("client-b", "shared-key", "fp-b");
        assertThat(b).isInstanceOf(Claim.Proceed.class);
        assertThat(keys.complete(((Claim.Proceed) b).token(), created("{\"who\":\"b\"}"))).isTrue();
        assertThat(new String(((Claim.Replay) keys.begin("client-a", "shared-key", "fp-a")).response().body(),
                StandardCharsets.UTF_8)).isEqualTo("{\"who\":\"a\"}");
        // A token of one scope cannot touch the other scope's key.
        IdempotencyToken forged = new IdempotencyToken("client-b", "shared-key", a.token().fencingToken(), a.token().fingerprint());
        assertThat(keys.release(forged)).isFalse();
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void completedKeyCannotBeCompletedOrReleasedAgain() {
        Claim.Proceed first = (Claim.Proceed) keys.begin("client-a", "key-1", "fp-1");
        assertThat(keys.complete(first.token(), created("{\"n\":1}"))).isTrue();
        assertThat(keys.complete(first.token(), created("{\"n\":2}"))).isFalse();
        assertThat(keys.release(first.token())).isFalse();
        Claim.Replay replay = (Claim.Replay) keys.begin("client-a", "key-1", "fp-1");
        assertThat(new String(replay.response().body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
    }

    @Test
    void badInputIsRefusedWithASpecificMessageAndWritesNothing() {
        assertThatThrownBy(() -> keys.begin("client-a", "", "fp")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> keys.begin("client-a", null, "fp")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> keys.begin("client-a", "k".repeat(256), "fp")).hasMessageContaining("at most 255");
        assertThatThrownBy(() -> keys.begin("client-a", "bad\nkey", "fp")).hasMessageContaining("printable ASCII")
                .hasMessageContaining("U+000A");
        assertThatThrownBy(() -> keys.begin("client-a", "ключ", "fp")).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> keys.begin("client-a", "   ", "fp")).hasMessageContaining("blank");
        assertThatThrownBy(() -> keys.begin(" ", "key", "fp")).hasMessageContaining("scope");
        assertThatThrownBy(() -> keys.begin("s".repeat(201), "key", "fp")).hasMessageContaining("scope");
        assertThatThrownBy(() -> keys.begin("client-a", "key", "")).hasMessageContaining("fingerprint");
        assertThatThrownBy(() -> keys.begin("client-a", "key", "f".repeat(513))).hasMessageContaining("fingerprint");
        assertThat(keys.begin("client-a", "k".repeat(255), "fp")).isInstanceOf(Claim.Proceed.class);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void serverErrorsAndMalformedResponsesCannotBeStored() {
        assertThatThrownBy(() -> new StoredResponse(500, null, Map.of(), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("release the key");
        assertThatThrownBy(() -> new StoredResponse(101, null, Map.of(), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StoredResponse(200, null, Map.of("Bad Name", "v"), new byte[0]))
                .hasMessageContaining("header name");
        assertThatThrownBy(() -> new StoredResponse(200, null, Map.of("Location", "a\r\nSet-Cookie: x"), new byte[0]))
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> new IdempotencyOptions(Duration.ofSeconds(10), Duration.ofMinutes(1),
                Duration.ofMinutes(1), 10)).hasMessageContaining("must not exceed keyTtl");
        assertThatThrownBy(() -> new IdempotencyOptions(Duration.ofHours(1), Duration.ofMinutes(1),
                Duration.ofMinutes(1), 0)).hasMessageContaining("reapBatchSize");
    }

    private static Claim awaitNotInFlight(IdempotencyKeys store, String scope, String key, String fp) throws Exception {
        Instant deadline = Instant.now().plusSeconds(20);
        Claim claim;
        do {
            Thread.sleep(50);
            claim = store.begin(scope, key, fp);
        } while (claim instanceof Claim.InFlight && Instant.now().isBefore(deadline));
        return claim;
    }

    private double counted(String outcome) {
        return meters.counter("switchboard.idempotency.requests", "outcome", outcome).count();
    }

    private static long rows() {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM switchboard.idempotency_keys")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hands out one connection and never closes it (the test owns it). */
    private record SingleConnection(Connection connection) implements DataSource {
        @Override
        public Connection getConnection() {
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, method, args) -> method.getName().equals("close") ? null
                            : invoke(method, args));
        }

        private Object invoke(java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(connection, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Connection getConnection(String user, String password) {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
