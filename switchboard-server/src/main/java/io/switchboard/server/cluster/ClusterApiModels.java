package io.switchboard.server.cluster;

import io.switchboard.instance.InstanceInfo;
import io.switchboard.lock.LeaseInfo;

import java.time.Instant;
import java.util.List;

/** Bodies of the lease and instance API. */
final class ClusterApiModels {
    private ClusterApiModels() {
    }

    /** Body of {@code GET /api/leases}: every lease held now, across all instances. */
    record Leases(List<LeaseResponse> leases) {
    }

    /**
     * A held lease.
     *
     * @param name         lease name
     * @param holder       id of the holding lease object ({@code <instance>/<uuid>})
     * @param instanceId   instance that holds it
     * @param fencingToken its fencing token (larger for every new holder)
     * @param acquiredAt   when the holder took it
     * @param renewedAt    its latest renewal
     * @param expiresAt    when it lapses unless renewed (database time)
     */
    record LeaseResponse(String name, String holder, String instanceId, long fencingToken, Instant acquiredAt,
                         Instant renewedAt, Instant expiresAt) {
        static LeaseResponse of(LeaseInfo lease) {
            return new LeaseResponse(lease.name(), lease.holder(), lease.instanceId(), lease.fencingToken(),
                    lease.acquiredAt(), lease.renewedAt(), lease.expiresAt());
        }
    }

    /** Body of {@code GET /api/instances}: instances seen in the last day, oldest first. */
    record Instances(List<InstanceResponse> instances) {
    }

    /**
     * One instance.
     *
     * @param id          instance id (also the worker id of its jobs and the instance id of its leases)
     * @param hostname    host it runs on
     * @param pid         process id
     * @param startedAt   when it registered
     * @param heartbeatAt its latest heartbeat
     * @param stoppedAt   when it stopped gracefully, or null
     * @param alive       heartbeat recent and not stopped
     * @param runningJobs ids of the jobs it runs now
     * @param leases      names of the leases it holds now
     */
    record InstanceResponse(String id, String hostname, long pid, Instant startedAt, Instant heartbeatAt,
                            Instant stoppedAt, boolean alive, List<Long> runningJobs, List<String> leases) {
        static InstanceResponse of(InstanceInfo instance) {
            return new InstanceResponse(instance.id(), instance.hostname(), instance.pid(), instance.startedAt(),
                    instance.heartbeatAt(), instance.stoppedAt(), instance.alive(), instance.runningJobs(), instance.leases());
        }
    }

    /** Body of {@code GET /api/instances/self}. */
    record Self(String id) {
    }
}
