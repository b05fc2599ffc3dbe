package io.switchboard.server.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Operational settings ({@code switchboard.ops.*}).
 *
 * @param readiness when this instance reports itself ready for traffic
 */
@ConfigurationProperties("switchboard.ops")
public record OpsProperties(@DefaultValue Readiness readiness) {
    /**
     * @param maxQueueLag readiness is OUT_OF_SERVICE while the oldest job waiting to run in any queue has waited
     *                    longer than this
     */
    public record Readiness(@DefaultValue("5m") Duration maxQueueLag) {
        public Readiness {
            if (maxQueueLag.isNegative() || maxQueueLag.isZero()) {
                throw new IllegalArgumentException("switchboard.ops.readiness.max-queue-lag must be positive, got " + maxQueueLag);
            }
        }
    }
}
