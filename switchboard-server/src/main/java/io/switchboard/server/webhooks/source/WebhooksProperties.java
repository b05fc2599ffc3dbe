package io.switchboard.server.webhooks.source;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * Settings of webhook ingestion ({@code switchboard.webhooks.*}).
 *
 * @param secretKey   base64 of the 32-byte AES key that encrypts source secrets at rest
 *                    ({@code SWITCHBOARD_WEBHOOK_SECRET_KEY}); blank: generated once beside the embedded database's
 *                    data, or, with an external database, sources cannot be created
 * @param maxBodySize largest accepted request body; larger ones get 413
 * @param maxBatch    most events written in one group commit
 * @param batchLinger under load (a committer found more than one event waiting), how long it waits for more before
 *                    writing its batch: larger batches share one job and one commit; {@code 0} never waits
 * @param batchTarget under load, a committer with fewer events than this waits up to {@code batchLinger} for more;
 *                    with this many it writes at once (waiting longer would add latency, not save much)
 * @param committers  threads writing group commits; with one, everything that arrives during a commit goes into the
 *                    next (large batches, little work per event); more overlap commits but split the batches
 */
@ConfigurationProperties("switchboard.webhooks")
public record WebhooksProperties(String secretKey,
                                 @DefaultValue("1MB") DataSize maxBodySize,
                                 @DefaultValue("200") int maxBatch,
                                 @DefaultValue("2ms") Duration batchLinger,
                                 @DefaultValue("16") int batchTarget,
                                 @DefaultValue("1") int committers) {
    public WebhooksProperties {
        if (maxBodySize.toBytes() < 1 || maxBodySize.toBytes() > 64L * 1024 * 1024) {
            throw new IllegalArgumentException("switchboard.webhooks.max-body-size must be between 1B and 64MB, was " + maxBodySize);
        }
        if (maxBatch < 1 || maxBatch > 10_000) {
            throw new IllegalArgumentException("switchboard.webhooks.max-batch must be between 1 and 10000, was " + maxBatch);
        }
        if (batchLinger.isNegative() || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("switchboard.webhooks.batch-linger must be between 0 and 1s, was " + batchLinger);
        }
        if (batchTarget < 1 || batchTarget > 10_000) {
            throw new IllegalArgumentException("switchboard.webhooks.batch-target must be between 1 and 10000, was " + batchTarget);
        }
        if (committers < 1 || committers > 16) {
            throw new IllegalArgumentException("switchboard.webhooks.committers must be between 1 and 16, was " + committers);
        }
    }
}
