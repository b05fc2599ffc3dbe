package io.switchboard.server.tenancy;

import io.switchboard.postgres.embedded.EmbeddedPostgres;
import io.switchboard.server.database.ServerSchema;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;

/** Tenancy: the tenant-scoped database access, the stores, authentication of /api and the bootstrap key. */
@Configuration(proxyBeanMethods = false)
class TenancyConfiguration {
    /** Order of the authentication filter; the rate-limit and idempotency filters come after it. */
    static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

    @Bean
    TenantDatabase tenantDatabase(DataSource dataSource, ServerSchema migrated) {
        return new TenantDatabase(dataSource);
    }

    @Bean
    Organizations organizations(TenantDatabase database) {
        return new Organizations(database);
    }

    @Bean
    Users users(TenantDatabase database) {
        return new Users(database);
    }

    @Bean
    ApiKeys apiKeys(TenantDatabase database) {
        return new ApiKeys(database);
    }

    @Bean
    PlatformKeys platformKeys(ApiKeys apiKeys, TenantDatabase database) {
        return new PlatformKeys(apiKeys, database);
    }

    @Bean
    JwtAuthenticator jwtAuthenticator(AuthProperties properties) {
        return new JwtAuthenticator(properties.jwt());
    }

    @Bean
    FilterRegistrationBean<AuthenticationFilter> authenticationFilter(ApiKeys apiKeys, Users users, JwtAuthenticator jwt,
                                                                      JsonMapper json) {
        FilterRegistrationBean<AuthenticationFilter> registration =
                new FilterRegistrationBean<>(new AuthenticationFilter(apiKeys, users, jwt, json));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    @Bean
    ApplicationRunner bootstrapAdminKey(PlatformKeys keys, AuthProperties properties,
                                        ObjectProvider<EmbeddedPostgres> embedded) {
        boolean enabled = switch (properties.bootstrapAdminKey()) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> embedded.getIfAvailable() != null;
        };
        return new BootstrapAdminKey(keys, enabled, System.out);
    }
}
