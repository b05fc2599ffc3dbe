package io.switchboard.server.webhooks.log;

import io.switchboard.server.tenancy.Principal;
import io.switchboard.server.webhooks.log.DeliveryLogModels.BulkReplay;
import io.switchboard.server.webhooks.log.DeliveryLogModels.EventDetail;
import io.switchboard.server.webhooks.log.DeliveryLogModels.EventSummary;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Health;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Replayed;
import io.switchboard.server.webhooks.log.DeliveryLogModels.Stats;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The caller's organization's webhook delivery log: events, health, stats, failures, dead letters and replay.
 * The organization always comes from the credential (org:read to read, org:write to replay).
 */
@RestController
class DeliveryLogController {
    private final DeliveryLog log;

    DeliveryLogController(DeliveryLog log) {
        this.log = log;
    }

    @GetMapping("/api/webhook-events")
    Map<String, List<EventSummary>> events(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                           @RequestParam(required = false) String status,
                                           @RequestParam(required = false) UUID source,
                                           @RequestParam(required = false) String type,
                                           @RequestParam(defaultValue = "100") int limit) {
        return Map.of("events", log.list(principal.orgId(), status, source, type, limit));
    }

    @GetMapping("/api/webhook-events/{id}")
    EventDetail event(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable long id) {
        return log.get(principal.orgId(), id);
    }

    @PostMapping("/api/webhook-events/{id}/replay")
    EventSummary replay(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable long id) {
        return log.replay(principal.orgId(), id);
    }

    @PostMapping("/api/webhook-events/replay")
    Replayed replayMatching(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @RequestBody BulkReplay filter) {
        return log.replay(principal.orgId(), filter);
    }

    @GetMapping("/api/webhooks/health")
    Health health(@RequestAttribute(Principal.ATTRIBUTE) Principal principal) {
        return log.health(principal.orgId());
    }

    @GetMapping("/api/webhooks/stats")
    Stats stats(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                @RequestParam(defaultValue = "24h") String range) {
        return log.stats(principal.orgId(), StatsRange.parse(range));
    }

    @GetMapping("/api/webhooks/failures")
    Map<String, List<EventSummary>> failures(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                             @RequestParam(defaultValue = "10") int limit) {
        return Map.of("events", log.failures(principal.orgId(), limit));
    }

    @GetMapping("/api/webhooks/dead-letter")
    Map<String, List<EventSummary>> deadLetter(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                               @RequestParam(defaultValue = "100") int limit) {
        return Map.of("events", log.list(principal.orgId(), "dead_letter", null, null, limit));
    }
}
