package io.switchboard.instance;

import java.time.Instant;
import java.util.List;

/**
 * One instance as the registry sees it.
 *
 * @param id          unique instance id
 * @param hostname    host it runs on
 * @param pid         process id
 * @param startedAt   registration time
 * @param heartbeatAt last heartbeat
 * @param stoppedAt   graceful stop time, or {@code null}
 * @param alive       heartbeat recent and not stopped (database time)
 * @param runningJobs ids of jobs it runs now
 * @param leases      names of leases it holds now
 */
public record InstanceInfo(String id, String hostname, long pid, Instant startedAt, Instant heartbeatAt, Instant stoppedAt,
                           boolean alive, List<Long> runningJobs, List<String> leases) {
    /** Copies the lists. */
    public InstanceInfo {
        runningJobs = List.copyOf(runningJobs);
        leases = List.copyOf(leases);
    }
}
