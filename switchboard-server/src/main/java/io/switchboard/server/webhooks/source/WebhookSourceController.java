package io.switchboard.server.webhooks.source;

import io.switchboard.server.tenancy.Principal;
import io.switchboard.server.webhooks.source.SourceModels.AddSecret;
import io.switchboard.server.webhooks.source.SourceModels.CreateSource;
import io.switchboard.server.webhooks.source.SourceModels.Secret;
import io.switchboard.server.webhooks.source.SourceModels.Source;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The caller's organization's webhook sources. Every statement runs in the caller's tenant, so another
 * organization's sources are not found (404). Secrets are accepted, never returned.
 */
@RestController
class WebhookSourceController {
    static final int MAX_LIMIT = 1000;

    private final WebhookSources sources;

    WebhookSourceController(WebhookSources sources) {
        this.sources = sources;
    }

    @PostMapping("/api/webhook-sources")
    ResponseEntity<Source> create(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @RequestBody CreateSource request) {
        Source created = sources.create(principal.orgId(), request);
        return ResponseEntity.created(URI.create("/api/webhook-sources/" + created.id())).body(created);
    }

    @GetMapping("/api/webhook-sources")
    Map<String, List<Source>> list(@RequestAttribute(Principal.ATTRIBUTE) Principal principal,
                                   @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return Map.of("sources", sources.list(principal.orgId(), limit));
    }

    @GetMapping("/api/webhook-sources/{id}")
    Source find(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id) {
        return sources.find(principal.orgId(), id).orElseThrow(() -> notFound(id));
    }

    @PostMapping("/api/webhook-sources/{id}/secrets")
    ResponseEntity<Secret> addSecret(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id,
                                     @RequestBody AddSecret request) {
        Secret added = sources.addSecret(principal.orgId(), id, request.secret()).orElseThrow(() -> notFound(id));
        return ResponseEntity.created(URI.create("/api/webhook-sources/" + id + "/secrets/" + added.id())).body(added);
    }

    /** Expires a secret now, or after {@code graceSeconds} so the provider can switch over during a rotation. */
    @DeleteMapping("/api/webhook-sources/{id}/secrets/{secretId}")
    Secret expireSecret(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id,
                        @PathVariable UUID secretId, @RequestParam(defaultValue = "0") long graceSeconds) {
        return sources.expireSecret(principal.orgId(), id, secretId, Duration.ofSeconds(graceSeconds))
                .orElseThrow(() -> new SourceErrors.NotFoundException("no secret " + secretId + " of an enabled webhook source " + id));
    }

    @DeleteMapping("/api/webhook-sources/{id}")
    Source disable(@RequestAttribute(Principal.ATTRIBUTE) Principal principal, @PathVariable UUID id) {
        return sources.disable(principal.orgId(), id).orElseThrow(() -> notFound(id));
    }

    private static SourceErrors.NotFoundException notFound(UUID id) {
        return new SourceErrors.NotFoundException("no webhook source " + id);
    }
}
