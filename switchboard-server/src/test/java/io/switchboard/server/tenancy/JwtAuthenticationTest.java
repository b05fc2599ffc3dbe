package io.switchboard.server.tenancy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** JWT bearer tokens: HS256 with the configured secret and RS256/ES256 from a JWKS URL; every bad token is refused. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "switchboard.auth.jwt.secret=" + JwtAuthenticationTest.SECRET)
class JwtAuthenticationTest extends ServerTestBase {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test-only";

    static final RSAKey RSA = generate(() -> new RSAKeyGenerator(2048).keyID("rsa-1").generate());
    static final ECKey EC = generate(() -> new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate());
    static final RSAKey UNPUBLISHED_RSA = generate(() -> new RSAKeyGenerator(2048).keyID("rsa-1").generate());
    static final HttpServer JWKS = jwksServer();

    @DynamicPropertySource
    static void jwks(DynamicPropertyRegistry registry) {
        registry.add("switchboard.auth.jwt.jwks-url",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/.well-known/jwks.json");
    }

    @AfterAll
    static void stopJwksServer() {
        JWKS.stop(0);
    }

    String orgA;
    String orgB;
    String admin;
    String member;

    @BeforeEach
    void organizationsAndUsers() {
        orgA = api.post("/api/admin/orgs", """
                {"name": "Acme"}""").json().get("id").asString();
        orgB = api.post("/api/admin/orgs", """
                {"name": "Globex"}""").json().get("id").asString();
        admin = api.post("/api/admin/orgs/" + orgA + "/users", """
                {"email": "admin@acme.example", "name": "Ada", "role": "org-admin"}""").json().get("id").asString();
        member = api.post("/api/admin/orgs/" + orgA + "/users", """
                {"email": "member@acme.example", "name": "Max"}""").json().get("id").asString();
    }

    @Test
    void hs256TokenOfAUserWorksOnItsOrganization() {
        ApiClient user = as(hs256(claims(admin, orgA).build(), SECRET));
        Response org = user.get("/api/org");
        assertThat(org.status()).as(org.body()).isEqualTo(200);
        assertThat(org.json().get("id").asString()).isEqualTo(orgA);
        assertThat(user.post("/api/users", """
                {"email": "new@acme.example", "name": "New"}""").status()).isEqualTo(201);
    }

    @Test
    void jwksSignedRs256AndEs256TokensWork() throws Exception {
        assertThat(as(signed(new RSASSASigner(RSA), JWSAlgorithm.RS256, "rsa-1", claims(admin, orgA).build()))
                .get("/api/org").status()).isEqualTo(200);
        assertThat(as(signed(new ECDSASigner(EC), JWSAlgorithm.ES256, "ec-1", claims(admin, orgA).build()))
                .get("/api/org").status()).isEqualTo(200);
    }

    @Test
    void tokenSignedByAKeyNotInTheJwksIsRefused() throws Exception {
        assertRefused(signed(new RSASSASigner(UNPUBLISHED_RSA), JWSAlgorithm.RS256, "rsa-1", claims(admin, orgA).build()));
    }

    @Test
    void expiredTokenIsRefused() {
        Instant past = Instant.now().minusSeconds(3600);
        assertRefused(hs256(claims(admin, orgA).issueTime(Date.from(past.minusSeconds(60)))
                .expirationTime(Date.from(past)).build(), SECRET));
    }

    @Test
    void tokenNotYetValidOrIssuedInTheFutureIsRefused() {
        Instant later = Instant.now().plusSeconds(3600);
        assertRefused(hs256(claims(admin, orgA).notBeforeTime(Date.from(later)).build(), SECRET));
        assertRefused(hs256(claims(admin, orgA).issueTime(Date.from(later)).build(), SECRET));
    }

    @Test
    void tokenWithoutExpiryIsRefused() {
        assertRefused(hs256(claims(admin, orgA).expirationTime(null).build(), SECRET));
    }

    @Test
    void tokenSignedWithAnotherSecretIsRefused() {
        assertRefused(hs256(claims(admin, orgA).build(), "another-secret-of-sufficient-length-0123456789"));
    }

    @Test
    void tamperedTokenIsRefused() {
        String token = hs256(claims(member, orgA).build(), SECRET);
        String[] parts = token.split("\\.");
        String forged = Base64URL.encode(claims(member, orgB).build().toString().getBytes(StandardCharsets.UTF_8)).toString();
        assertRefused(parts[0] + "." + forged + "." + parts[2]);
    }

    @Test
    void unsignedTokenWithAlgNoneIsRefused() {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
        String payload = Base64URL.encode(claims(admin, orgA).build().toString()).toString();
        assertRefused(header + "." + payload + ".");
    }

    @Test
    void tokenWithAnUnconfiguredAlgorithmIsRefused() throws Exception {
        byte[] secret = SECRET.repeat(2).getBytes(StandardCharsets.UTF_8);
        assertRefused(signed(new MACSigner(secret), JWSAlgorithm.HS512, null, claims(admin, orgA).build()));
    }

    @Test
    void unknownUserOrUserOfAnotherOrganizationThanTheClaimIsRefused() {
        assertRefused(hs256(claims(UUID.randomUUID().toString(), orgA).build(), SECRET));
        assertRefused(hs256(claims(admin, orgB).build(), SECRET));
    }

    @Test
    void memberMayReadButNotWrite() {
        ApiClient user = as(hs256(claims(member, orgA).build(), SECRET));
        assertThat(user.get("/api/users").status()).isEqualTo(200);
        Response write = user.post("/api/users", """
                {"email": "nope@acme.example", "name": "Nope"}""");
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.contentType()).startsWith("application/problem+json");
    }

    @Test
    void userOfACannotReachBsDataWithAForgedPathId() {
        String userOfB = api.post("/api/admin/orgs/" + orgB + "/users", """
                {"email": "bob@globex.example", "name": "Bob"}""").json().get("id").asString();
        ApiClient user = as(hs256(claims(admin, orgA).build(), SECRET));
        assertThat(user.get("/api/users/" + userOfB).status()).isEqualTo(404);
        assertThat(user.delete("/api/users/" + userOfB).status()).isEqualTo(404);
        assertThat(api.withToken(null).get("/api/org").status()).isEqualTo(401);
        assertThat(as(hs256(claims(admin, orgA).build(), SECRET)).get("/api/users").body()).doesNotContain("bob@globex");
    }

    private ApiClient as(String token) {
        return api.withToken(token);
    }

    private void assertRefused(String token) {
        Response response = as(token).get("/api/org");
        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static JWTClaimsSet.Builder claims(String user, String org) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(user).claim("org", org)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String hs256(JWTClaimsSet claims, String secret) {
        try {
            return signed(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String signed(JWSSigner signer, JWSAlgorithm alg, String keyId, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(keyId).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    interface KeySupplier<K> {
        K get() throws Exception;
    }

    private static <K> K generate(KeySupplier<K> supplier) {
        try {
            return supplier.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer jwksServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = new JWKSet(java.util.List.of(RSA.toPublicJWK(), EC.toPublicJWK())).toString(true)
                    .getBytes(StandardCharsets.UTF_8);
            server.createContext("/.well-known/jwks.json", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
