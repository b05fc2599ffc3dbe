package io.switchboard.server.http.idempotency;

import io.switchboard.idempotency.IdempotencyOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.List;

/**
 * Idempotency keys on the HTTP API ({@code switchboard.idempotency.*}).
 *
 * @param requiredFor   requests that must carry an {@code Idempotency-Key}, each {@code "METHOD /path/pattern"}
 *                      (Spring path patterns, e.g. {@code POST /api/admin/**})
 * @param checkedAtCommit requests whose every effect is a write joining the request's transaction (the job
 *                      endpoints by default), same form: they run first and their key is taken when their response is
 *                      stored, one statement instead of two; a retry or a concurrent duplicate runs too and is rolled
 *                      back. Never list a route that calls out (e-mail, another API) or writes on its own connection.
 * @param keyTtl        how long a key is remembered after its first request
 * @param inFlightLease how long a first request may run before a retry may take its key over
 * @param reapEvery     how often expired keys are deleted
 * @param maxBodySize   largest request body accepted with a key (it is read whole to be fingerprinted)
 */
@ConfigurationProperties("switchboard.idempotency")
public record IdempotencyProperties(@DefaultValue("POST /api/admin/**") List<String> requiredFor,
                                    @DefaultValue({"POST /api/jobs", "POST /api/jobs/*/replay", "POST /api/jobs/dead/replay",
                                            "POST /api/jobs/*/cancel"}) List<String> checkedAtCommit,
                                    @DefaultValue("24h") Duration keyTtl,
                                    @DefaultValue("60s") Duration inFlightLease,
                                    @DefaultValue("10m") Duration reapEvery,
                                    @DefaultValue("1MB") DataSize maxBodySize) {
    public IdempotencyProperties {
        requiredFor = requiredFor == null ? List.of() : List.copyOf(requiredFor);
        checkedAtCommit = checkedAtCommit == null ? List.of() : List.copyOf(checkedAtCommit);
    }

    IdempotencyOptions toOptions() {
        return new IdempotencyOptions(keyTtl, inFlightLease, reapEvery, IdempotencyOptions.DEFAULT.reapBatchSize());
    }
}
