package io.switchboard.server.jobs;

import io.switchboard.jobs.JobRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Body of {@code POST /api/jobs}.
 *
 * @param kind        job kind name (required)
 * @param args        the kind's arguments as any JSON value; an empty object when left out
 * @param priority    -1000 to 1000, higher runs first (default 0)
 * @param delayMs     run no earlier than this many milliseconds from now (database clock)
 * @param runAt       run no earlier than this time; not together with {@code delayMs}
 * @param maxAttempts attempts before the job is dead-lettered (default: the kind's retry policy)
 * @param uniqueKey   at most one unfinished job of the kind holds this key
 * @param onDuplicate {@code RETURN_EXISTING} (default) or {@code REJECT}, when the unique key is taken
 */
record EnqueueJobRequest(String kind, JsonNode args, Integer priority, Long delayMs, Instant runAt,
                         Integer maxAttempts, String uniqueKey, String onDuplicate) {

    /** The core request; {@link IllegalArgumentException} with a message for the client when a field is bad. */
    JobRequest toJobRequest(JsonMapper json) {
        if (kind == null) {
            throw new IllegalArgumentException("'kind' is required");
        }
        if (delayMs != null && runAt != null) {
            throw new IllegalArgumentException("give either 'delayMs' or 'runAt', not both");
        }
        if (delayMs != null && delayMs < 0) {
            throw new IllegalArgumentException("'delayMs' must not be negative, was " + delayMs);
        }
        if (args != null && args.isNull()) {
            throw new InvalidJobArgumentsException("'args' must not be null; leave it out for an empty object", null);
        }
        String argsJson = args == null ? "{}" : json.writeValueAsString(args);
        JobRequest request = JobRequest.ofJson(kind, argsJson);
        if (priority != null) {
            request.priority(priority);
        }
        if (delayMs != null) {
            request.delay(Duration.ofMillis(delayMs));
        }
        if (runAt != null) {
            request.runAt(runAt);
        }
        if (maxAttempts != null) {
            request.maxAttempts(maxAttempts);
        }
        if (uniqueKey != null) {
            request.uniqueKey(uniqueKey);
        }
        if (onDuplicate != null) {
            if (uniqueKey == null) {
                throw new IllegalArgumentException("'onDuplicate' needs a 'uniqueKey'");
            }
            request.onDuplicate(parseOnDuplicate(onDuplicate));
        }
        return request;
    }

    private static JobRequest.OnDuplicate parseOnDuplicate(String value) {
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (JobRequest.OnDuplicate candidate : JobRequest.OnDuplicate.values()) {
            if (candidate.name().equals(normalized)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("'onDuplicate' must be RETURN_EXISTING or REJECT, was '" + value + "'");
    }
}
