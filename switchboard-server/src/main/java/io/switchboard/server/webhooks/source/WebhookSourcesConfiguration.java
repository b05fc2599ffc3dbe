package io.switchboard.server.webhooks.source;

import io.switchboard.server.database.EmbeddedPostgresProperties;
import io.switchboard.server.tenancy.TenantDatabase;
import io.switchboard.server.webhooks.provider.WebhookProviders;
import io.switchboard.postgres.embedded.EmbeddedPostgres;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;

/** Webhook sources: the secret key, the store and its validation. */
@Configuration(proxyBeanMethods = false)
class WebhookSourcesConfiguration {
    @Bean
    WebhookSources webhookSources(TenantDatabase database, WebhooksProperties properties, WebhookProviders providers,
                                  JsonMapper json, ObjectProvider<EmbeddedPostgres> embedded,
                                  ObjectProvider<EmbeddedPostgresProperties> embeddedProperties) {
        Path embeddedData = embedded.getIfAvailable() == null ? null
                : embeddedProperties.getObject().dataDir();
        return new WebhookSources(database, SecretKeys.resolve(properties.secretKey(), embeddedData),
                new SourceRules(providers), json);
    }
}
