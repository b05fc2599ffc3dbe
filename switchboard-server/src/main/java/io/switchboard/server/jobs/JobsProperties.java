package io.switchboard.server.jobs;

import io.switchboard.jobs.QueueOptions;
import io.switchboard.jobs.Retention;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.Map;

/**
 * How this instance runs jobs ({@code switchboard.jobs.*}).
 *
 * @param queues          per-queue worker settings by queue name; queues not listed use the defaults
 * @param shutdownTimeout how long running handlers may finish on shutdown before their jobs are released
 * @param retention       how long finished jobs are kept
 * @param instanceId      this instance's worker id (default: host, pid and a random suffix)
 */
@ConfigurationProperties("switchboard.jobs")
public record JobsProperties(Map<String, QueueSettings> queues,
                             @DefaultValue("30s") Duration shutdownTimeout,
                             @DefaultValue RetentionSettings retention,
                             String instanceId) {
    public JobsProperties {
        queues = queues == null ? Map.of() : Map.copyOf(queues);
    }

    /**
     * How this instance works one queue.
     *
     * @param concurrency  handlers of the queue running at once on this instance
     * @param lease        how long a claim lasts without a heartbeat; jobs of a dead instance run again after it
     * @param pollInterval polling fallback when no LISTEN/NOTIFY wake-up arrives
     */
    public record QueueSettings(@DefaultValue("16") int concurrency,
                                @DefaultValue("15s") Duration lease,
                                @DefaultValue("2s") Duration pollInterval) {
        QueueOptions toOptions(String queue) {
            return new QueueOptions(queue, concurrency, lease, pollInterval);
        }
    }

    /**
     * How long finished jobs are kept before they are pruned.
     *
     * @param completed completed jobs
     * @param cancelled cancelled jobs
     * @param dead      dead letters
     */
    public record RetentionSettings(@DefaultValue("1d") Duration completed,
                                    @DefaultValue("1d") Duration cancelled,
                                    @DefaultValue("14d") Duration dead) {
        Retention toRetention() {
            return new Retention(completed, cancelled, dead);
        }
    }
}
