package io.switchboard.server.cache;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.time.Clock;

/** The {@link Caches} of this instance and the listener that receives other instances' invalidations. */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {
    /** Uses a {@link Clock} bean when there is exactly one (tests set the time), else the system clock. */
    @Bean
    Caches caches(DataSource dataSource, ObjectProvider<Clock> clock, MeterRegistry meters) {
        return new Caches(dataSource, clock.getIfUnique(Clock::systemUTC), meters);
    }

    @Bean
    CacheInvalidationListener cacheInvalidationListener(JdbcConnectionDetails database, Caches caches) {
        return new CacheInvalidationListener(database, caches);
    }
}
