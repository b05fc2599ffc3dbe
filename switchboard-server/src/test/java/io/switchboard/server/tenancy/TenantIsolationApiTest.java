package io.switchboard.server.tenancy;

import io.switchboard.server.ApiClient;
import io.switchboard.server.ApiClient.Response;
import io.switchboard.server.ServerTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Through every tenant endpoint, a credential of organization A neither reads nor writes anything of B. */
class TenantIsolationApiTest extends ServerTestBase {
    String orgA;
    String orgB;
    ApiClient a;
    ApiClient b;
    String userOfB;
    String keyIdOfB;
    String orgBSnapshot;

    @BeforeEach
    void twoOrganizations() throws SQLException {
        orgA = createOrg("Acme");
        orgB = createOrg("Globex");
        a = api.withToken(createKey(orgA, "[\"org:read\", \"org:write\"]").get("key").asString());
        var keyB = createKey(orgB, "[\"org:read\", \"org:write\"]");
        keyIdOfB = keyB.get("id").asString();
        b = api.withToken(keyB.get("key").asString());
        userOfB = created(api.post("/api/admin/orgs/" + orgB + "/users", """
                {"email": "bob@globex.example", "name": "Bob", "role": "org-admin"}""")).get("id").asString();
        created(api.post("/api/admin/orgs/" + orgA + "/users", """
                {"email": "alice@acme.example", "name": "Alice"}"""));
        orgBSnapshot = snapshotOf(orgB);
    }

    /** Whatever a test did as A, B's rows are exactly as before. */
    @AfterEach
    void organizationBIsUntouched() throws SQLException {
        assertThat(snapshotOf(orgB)).as("organization B's rows").isEqualTo(orgBSnapshot);
    }

    @Test
    void orgKeySeesOnlyItsOwnOrganizationUsersAndKeys() {
        Response org = a.get("/api/org");
        assertThat(org.status()).isEqualTo(200);
        assertThat(org.json().get("id").asString()).isEqualTo(orgA);

        Response users = a.get("/api/users");
        assertThat(users.status()).isEqualTo(200);
        assertThat(users.json().get("users")).hasSize(1);
        assertThat(users.body()).contains("alice@acme.example").doesNotContain("bob@globex.example").doesNotContain(orgB);

        Response keys = a.get("/api/api-keys");
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.body()).doesNotContain(keyIdOfB).doesNotContain(orgB).doesNotContain("\"key\"");
    }

    @Test
    void anotherOrganizationsUserIsNotFoundForReadUpdateOrDelete() {
        assertNotFound(a.get("/api/users/" + userOfB));
        assertNotFound(a.patch("/api/users/" + userOfB, """
                {"name": "Mallory", "role": "member"}"""));
        assertNotFound(a.delete("/api/users/" + userOfB));
        assertThat(b.get("/api/users/" + userOfB).json().get("name").asString()).isEqualTo("Bob");
    }

    @Test
    void anotherOrganizationsKeyCannotBeRevoked() {
        assertNotFound(a.delete("/api/api-keys/" + keyIdOfB));
        assertThat(b.get("/api/org").status()).isEqualTo(200);
    }

    @Test
    void forgedOrganizationIdInABodyIsNotFoundAndCreatesNothing() {
        assertNotFound(a.post("/api/users", """
                {"orgId": "%s", "email": "eve@acme.example", "name": "Eve"}""".formatted(orgB)));
        assertNotFound(a.post("/api/api-keys", """
                {"orgId": "%s", "name": "stolen"}""".formatted(orgB)));
        assertNotFound(a.patch("/api/users/" + userOfB, """
                {"orgId": "%s", "name": "Mallory"}""".formatted(orgB)));
        assertThat(a.get("/api/users").json().get("users")).hasSize(1);
    }

    @Test
    void ownOrganizationIdInABodyIsAccepted() {
        Response created = a.post("/api/users", """
                {"orgId": "%s", "email": "carol@acme.example", "name": "Carol"}""".formatted(orgA));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("orgId").asString()).isEqualTo(orgA);
    }

    @Test
    void orgCredentialCannotUseAdminOrEngineEndpoints() {
        assertForbidden(a.get("/api/admin/orgs"));
        assertForbidden(a.post("/api/admin/orgs/" + orgB + "/users", """
                {"email": "eve@globex.example", "name": "Eve"}"""));
        assertForbidden(a.post("/api/admin/orgs/" + orgB + "/api-keys", """
                {"name": "stolen"}"""));
        assertForbidden(a.get("/api/jobs/dead"));
        assertForbidden(a.get("/api/schedules"));
    }

    @Test
    void orgKeyCrudOnItsOwnUsersWorks() {
        String id = created(a.post("/api/users", """
                {"email": "Dan@Acme.example", "name": "Dan"}""")).get("id").asString();
        assertThat(a.get("/api/users/" + id).json().get("email").asString()).isEqualTo("dan@acme.example");
        Response updated = a.patch("/api/users/" + id, """
                {"role": "org-admin"}""");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("role").asString()).isEqualTo("org-admin");
        assertThat(updated.json().get("name").asString()).isEqualTo("Dan");
        Response duplicate = a.post("/api/users", """
                {"email": "dan@acme.example", "name": "Dan again"}""");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(a.delete("/api/users/" + id).status()).isEqualTo(204);
        assertNotFound(a.get("/api/users/" + id));
    }

    @Test
    void badInputIsRejectedWithASpecificProblem() {
        Response badRole = a.post("/api/users", """
                {"email": "x@acme.example", "name": "X", "role": "owner"}""");
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().get("detail").asString()).contains("'role'");
        assertThat(a.post("/api/users", """
                {"email": "not-an-address", "name": "X"}""").status()).isEqualTo(400);
        assertThat(a.post("/api/api-keys", """
                {"name": "k", "scopes": ["platform-admin"]}""").status()).isEqualTo(400);
        assertThat(a.get("/api/users/not-a-uuid").status()).isEqualTo(400);
        assertThat(a.get("/api/users").json().get("users")).hasSize(1);
    }

    @Test
    void adminGetsNotFoundForAnUnknownOrganization() {
        String unknown = "00000000-0000-4000-8000-000000000000";
        assertNotFound(api.post("/api/admin/orgs/" + unknown + "/users", """
                {"email": "x@nowhere.example", "name": "X"}"""));
        assertNotFound(api.post("/api/admin/orgs/" + unknown + "/api-keys", """
                {"name": "k"}"""));
        // The platform admin has no organization of its own.
        assertForbidden(api.get("/api/users"));
    }

    @Test
    void adminListsOrganizations() {
        Response orgs = api.get("/api/admin/orgs");
        assertThat(orgs.status()).isEqualTo(200);
        assertThat(orgs.body()).contains(orgA).contains(orgB);
    }

    @Test
    void aKeysLastUseIsRecordedAtMostOnceAMinute() {
        var created = created(a.post("/api/api-keys", """
                {"name": "probe", "scopes": ["org:read"]}"""));
        String id = created.get("id").asString();
        ApiClient probe = a.withToken(created.get("key").asString());
        assertThat(lastUsed(id)).as("unused").isEqualTo("null");

        assertThat(probe.get("/api/org").status()).isEqualTo(200);
        String first = lastUsed(id);
        assertThat(first).isNotEqualTo("null");
        assertThat(probe.get("/api/org").status()).isEqualTo(200);
        assertThat(lastUsed(id)).as("a second use within the minute writes nothing").isEqualTo(first);
    }

    private String lastUsed(String keyId) {
        for (var key : a.get("/api/api-keys").json().get("apiKeys")) {
            if (key.get("id").asString().equals(keyId)) {
                return key.get("lastUsedAt").isNull() ? "null" : key.get("lastUsedAt").asString();
            }
        }
        throw new AssertionError("key " + keyId + " not listed");
    }

    @Test
    void revokedKeyIsRefused() {
        var created = created(a.post("/api/api-keys", """
                {"name": "ci", "scopes": ["org:read"]}"""));
        ApiClient ci = a.withToken(created.get("key").asString());
        assertThat(ci.get("/api/org").status()).isEqualTo(200);

        Response revoked = a.delete("/api/api-keys/" + created.get("id").asString());
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("revokedAt").isNull()).isFalse();

        Response refused = ci.get("/api/org");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(refused.contentType()).startsWith("application/problem+json");
    }

    @Test
    void missingScopeIsForbiddenAndCannotBeGrantedOnward() {
        ApiClient reader = a.withToken(created(a.post("/api/api-keys", """
                {"name": "reader", "scopes": ["org:read"]}""")).get("key").asString());
        assertThat(reader.get("/api/users").status()).isEqualTo(200);
        Response write = reader.post("/api/users", """
                {"email": "r@acme.example", "name": "R"}""");
        assertForbidden(write);
        assertThat(write.json().get("detail").asString()).contains("org:write");
        assertForbidden(reader.post("/api/api-keys", """
                {"name": "escalate"}"""));
    }

    @Test
    void missingMalformedOrUnknownCredentialsAre401() {
        for (ApiClient client : new ApiClient[]{api.withToken(null), api.withToken("sb_nope"),
                api.withToken("sb_0123456789ab_" + "A".repeat(43)), api.withToken("not.a.jwt")}) {
            Response response = client.get("/api/org");
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:unauthorized");
        }
        assertThat(api.withToken(null).get("/api/jobs/dead").status()).isEqualTo(401);
        assertThat(api.withToken(null).get("/actuator/health").status()).isEqualTo(200);
    }

    private String createOrg(String name) {
        return created(api.post("/api/admin/orgs", """
                {"name": "%s"}""".formatted(name))).get("id").asString();
    }

    private tools.jackson.databind.JsonNode createKey(String org, String scopes) {
        return created(api.post("/api/admin/orgs/" + org + "/api-keys", """
                {"name": "main", "scopes": %s}""".formatted(scopes)));
    }

    private static tools.jackson.databind.JsonNode created(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static void assertNotFound(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static void assertForbidden(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static String snapshotOf(String org) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT (SELECT string_agg(u::text, ';' ORDER BY u.id) FROM app.users u WHERE org_id = '%1$s')
                    || '|' || (SELECT string_agg(k.id || k.name || coalesce(k.revoked_at::text, '-'), ';' ORDER BY k.id)
                               FROM app.api_keys k WHERE org_id = '%1$s')""".formatted(org))) {
            rs.next();
            return rs.getString(1);
        }
    }
}
