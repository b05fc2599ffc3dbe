package io.switchboard.server.webhooks.log;

import io.switchboard.jobs.AttemptError;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Requests and responses of the delivery log API. */
final class DeliveryLogModels {
    private DeliveryLogModels() {
    }

    /** One event as listed. */
    record EventSummary(long id, UUID sourceId, String provider, String type, String dedupeKey, String status,
                        int attempts, String lastError, Instant receivedAt, Instant occurredAt, Instant processedAt,
                        Long jobId) {
    }

    /** One event with its sanitized payload and its current job's failed attempts. */
    record EventDetail(long id, UUID sourceId, String provider, String type, String dedupeKey, String status,
                       int attempts, String lastError, Instant receivedAt, Instant occurredAt, Instant processedAt,
                       Long jobId, JsonNode payload, List<AttemptError> jobErrors) {
    }

    /** Queue health of the caller's organization. */
    record Health(long pending, long processing, long failed, long deadLetter, Double oldestPendingAgeSeconds) {
    }

    /** Latency from receipt to processed, in milliseconds; null without processed events. */
    record Latency(Double p50Ms, Double p99Ms) {
    }

    /** Delivery statistics over a range. */
    record Stats(String range, Instant since, long received, long duplicates, long rejected,
                 Map<String, Long> rejectedByReason, long processed, long failed, long dead, Latency latency) {
    }

    /**
     * Filter of a bulk replay: events in {@code status} (failed, dead_letter or completed; default dead_letter),
     * optionally of one source and type, received at or after {@code since}, at most {@code limit} (default 100).
     */
    record BulkReplay(String status, UUID source, String type, Instant since, Integer limit) {
    }

    /** What a bulk replay did. */
    record Replayed(int replayed, List<Long> eventIds) {
    }
}
