package io.switchboard.server.cluster;

import io.switchboard.Switchboard;
import io.switchboard.instance.Instances;
import io.switchboard.lock.Leases;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The leases and the instance registry of the server's Switchboard, for injection. */
@Configuration(proxyBeanMethods = false)
class ClusterConfiguration {
    /** The Switchboard releases its leases when it stops, so Spring must not close them. */
    @Bean(destroyMethod = "")
    Leases leases(Switchboard switchboard) {
        return switchboard.leases();
    }

    @Bean
    Instances instances(Switchboard switchboard) {
        return switchboard.instances();
    }
}
