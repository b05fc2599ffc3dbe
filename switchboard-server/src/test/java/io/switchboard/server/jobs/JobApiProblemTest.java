package io.switchboard.server.jobs;

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

/** Every kind of bad request gets a specific RFC 9457 problem and leaves the queue untouched. */
class JobApiProblemTest extends ServerTestBase {
    long jobsBefore;

    @BeforeEach
    void countJobsBefore() throws SQLException {
        jobsBefore = countJobs();
    }

    /** Bad input changes nothing: no test in this class may leave a job behind unless it says so. */
    @AfterEach
    void noJobWasCreated() throws SQLException {
        assertThat(countJobs()).as("jobs in the database").isEqualTo(jobsBefore);
    }

    @Test
    void unknownJobKindIsRejectedWithProblemJson() {
        Response response = api.post("/api/jobs", """
                {"kind": "send-fax", "args": {}}""");

        assertProblem(response, 400, "unknown-job-kind");
        assertThat(response.json().get("detail").asString()).contains("send-fax");
        assertThat(response.json().get("knownKinds").toString()).contains("noop", "log", "fail");
    }

    @Test
    void argumentsThatDoNotFitTheKindAreRejected() {
        assertProblem(api.post("/api/jobs", """
                {"kind": "log", "args": {}}"""), 400, "invalid-job-arguments");
        assertProblem(api.post("/api/jobs", """
                {"kind": "log", "args": {"message": 42}}"""), 400, "invalid-job-arguments");
        assertProblem(api.post("/api/jobs", """
                {"kind": "log", "args": {"message": "hi", "level": "warn"}}"""), 400, "invalid-job-arguments");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "args": [1, 2]}"""), 400, "invalid-job-arguments");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "args": null}"""), 400, "invalid-job-arguments");
    }

    @Test
    void malformedJsonBodyIsRejected() {
        Response response = api.post("/api/jobs", """
                {"kind": "noop", """);

        assertProblem(response, 400, "malformed-json");
        assertThat(response.json().get("detail").asString()).contains("not valid JSON");
    }

    @Test
    void missingBodyIsRejected() {
        assertProblem(api.post("/api/jobs", null), 400, "malformed-json");
    }

    @Test
    void fieldOfTheWrongTypeIsRejectedNamingTheField() {
        Response response = api.post("/api/jobs", """
                {"kind": "noop", "priority": "high"}""");

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().get("detail").asString()).contains("'priority'").contains("integer");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "priority": "5"}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "maxAttempts": 1.5}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "runAt": "next tuesday"}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                ["noop"]"""), 400, "invalid-request");
    }

    @Test
    void unknownFieldIsRejectedRatherThanIgnored() {
        Response response = api.post("/api/jobs", """
                {"kind": "noop", "delay": 60000}""");

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().get("detail").asString()).contains("'delay'");
    }

    @Test
    void negativeDelayIsRejected() {
        Response response = api.post("/api/jobs", """
                {"kind": "noop", "delayMs": -1}""");

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().get("detail").asString()).contains("delayMs");
    }

    @Test
    void outOfRangeOrContradictoryOptionsAreRejected() {
        assertProblem(api.post("/api/jobs", """
                {"args": {}}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "priority": 1001}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "maxAttempts": 0}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "queue": "jobs go to their kind's queue"}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "uniqueKey": ""}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "uniqueKey": "k", "onDuplicate": "overwrite"}"""), 400, "invalid-request");
        assertProblem(api.post("/api/jobs", """
                {"kind": "noop", "delayMs": 1000, "runAt": "2100-01-01T00:00:00Z"}"""), 400, "invalid-request");
    }

    @Test
    void unknownJobIsNotFound() {
        assertProblem(api.get("/api/jobs/987654321"), 404, "job-not-found");
        assertProblem(api.post("/api/jobs/987654321/cancel", null), 404, "job-not-found");
        assertProblem(api.post("/api/jobs/987654321/replay", null), 404, "job-not-found");
    }

    @Test
    void nonNumericJobIdIsRejected() {
        Response response = api.get("/api/jobs/abc");

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().get("detail").asString()).contains("'id'");
    }

    @Test
    void deadLetterListingRejectsBadLimitsAndQueueNames() {
        assertProblem(api.get("/api/jobs/dead?limit=0"), 400, "invalid-request");
        assertProblem(api.get("/api/jobs/dead?limit=1001"), 400, "invalid-request");
        assertProblem(api.get("/api/jobs/dead?limit=many"), 400, "invalid-request");
        assertProblem(api.get("/api/jobs/dead?queue=bad%20name"), 400, "invalid-request");
        assertProblem(api.post("/api/jobs/dead/replay", """
                {"limit": 0}"""), 400, "invalid-request");
    }

    @Test
    void duplicateUniqueKeyIsAConflictWhenAskedToReject() throws SQLException {
        long existing = api.enqueue("""
                {"kind": "noop", "delayMs": 600000, "uniqueKey": "invoice-17"}""");
        jobsBefore++;

        Response response = api.post("/api/jobs", """
                {"kind": "noop", "delayMs": 600000, "uniqueKey": "invoice-17", "onDuplicate": "REJECT"}""");

        assertProblem(response, 409, "duplicate-job");
        assertThat(response.json().get("existingJobId").asLong()).isEqualTo(existing);
    }

    @Test
    void replayOfAJobThatIsNotDeadIsAConflict() {
        long id = api.enqueue("""
                {"kind": "noop", "delayMs": 600000}""");
        jobsBefore++;

        Response response = api.post("/api/jobs/" + id + "/replay", null);

        assertProblem(response, 409, "job-not-replayable");
        assertThat(api.get("/api/jobs/" + id).json().get("state").asString()).isEqualTo("scheduled");
    }

    @Test
    void springMvcErrorsAreProblemJsonToo() {
        Response unknownPath = api.get("/api/nothing-here");
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.contentType()).startsWith("application/problem+json");

        Response wrongMethod = api.get("/api/jobs/1/cancel");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
    }

    private static void assertProblem(Response response, int status, String type) {
        assertThat(response.status()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:switchboard:problem:" + type);
        assertThat(response.json().get("title").asString()).isNotBlank();
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }

    private static long countJobs() throws SQLException {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             // Maintenance schedules enqueue jobs of their own (queue 'schedules') whenever their slot comes.
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM switchboard.jobs WHERE queue <> 'schedules'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
