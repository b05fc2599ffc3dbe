package io.switchboard.server.webhooks.log;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Retention of the webhook inbox ({@code switchboard.webhooks.*}).
 *
 * @param retention      completed and dead-lettered events (and rejections) older than this are deleted (default 30d)
 * @param retentionEvery how often the retention schedule runs (default 1h)
 * @param retentionBatch rows deleted per transaction (default 1000)
 */
@ConfigurationProperties("switchboard.webhooks")
public record WebhookLogProperties(@DefaultValue("30d") Duration retention, @DefaultValue("1h") Duration retentionEvery,
                                   @DefaultValue("1000") int retentionBatch) {
}
