package io.switchboard.server.cluster;

import io.switchboard.instance.Instances;
import io.switchboard.server.cluster.ClusterApiModels.InstanceResponse;
import io.switchboard.server.cluster.ClusterApiModels.Self;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The instance registry: who is alive, what each runs, which leases each holds; and who answers this request. */
@RestController
@RequestMapping("/api/instances")
class InstanceController {
    private final Instances instances;

    InstanceController(Instances instances) {
        this.instances = instances;
    }

    @GetMapping
    ClusterApiModels.Instances list() {
        return new ClusterApiModels.Instances(instances.list().stream().map(InstanceResponse::of).toList());
    }

    /** This instance's id, without touching the database: which replica answered, behind a load balancer. */
    @GetMapping("/self")
    Self self() {
        return new Self(instances.instanceId());
    }
}
