package io.switchboard.server.cluster;

import io.switchboard.lock.Leases;
import io.switchboard.server.cluster.ClusterApiModels.LeaseResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Leases held now across the cluster, with their fencing tokens. */
@RestController
class LeaseController {
    private final Leases leases;

    LeaseController(Leases leases) {
        this.leases = leases;
    }

    @GetMapping("/api/leases")
    ClusterApiModels.Leases held() {
        return new ClusterApiModels.Leases(leases.listHeld().stream().map(LeaseResponse::of).toList());
    }
}
