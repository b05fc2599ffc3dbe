package io.switchboard.server.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.instance.InstanceInfo;
import io.switchboard.instance.Instances;
import io.switchboard.lock.Leases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.concurrent.TimeUnit;

/**
 * Cluster-wide gauges read from the database every 10 s, so a scrape never waits for it:
 * {@code switchboard.leases.held} and {@code switchboard.instances.alive}. NaN until first read.
 */
@Component
class ClusterMetrics {
    private static final Logger log = LoggerFactory.getLogger(ClusterMetrics.class);

    private final Leases leases;
    private final Instances instances;
    private volatile double leasesHeld = Double.NaN;
    private volatile double instancesAlive = Double.NaN;

    ClusterMetrics(Leases leases, Instances instances, MeterRegistry registry) {
        this.leases = leases;
        this.instances = instances;
        Gauge.builder("switchboard.leases.held", this, m -> m.leasesHeld)
                .description("Leases held now, across all instances").register(registry);
        Gauge.builder("switchboard.instances.alive", this, m -> m.instancesAlive)
                .description("Instances whose heartbeat is recent and that have not stopped").register(registry);
    }

    @Scheduled(initialDelay = 0, fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
    void refresh() {
        try {
            leasesHeld = leases.listHeld().size();
            instancesAlive = instances.list().stream().filter(InstanceInfo::alive).count();
        } catch (RuntimeException e) {
            // Gauges keep their last values while the database is unreachable; the outage is logged elsewhere.
            log.debug("Cluster gauges not refreshed: {}", e.toString());
        }
    }
}
