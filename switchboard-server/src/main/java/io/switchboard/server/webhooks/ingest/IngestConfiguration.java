package io.switchboard.server.webhooks.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.jobs.JobQueue;
import io.switchboard.server.tenancy.TenantDatabase;
import io.switchboard.server.webhooks.provider.WebhookProviders;
import io.switchboard.server.webhooks.source.WebhookSources;
import io.switchboard.server.webhooks.source.WebhooksProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;

/** The webhook endpoint and its group-commit writer. */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {
    @Bean(destroyMethod = "close")
    EventWriter webhookEventWriter(DataSource dataSource, JobQueue jobs, WebhooksProperties properties) {
        return new EventWriter(dataSource, jobs, properties.maxBatch(), properties.batchLinger(),
                properties.batchTarget(), properties.committers()).start();
    }

    @Bean
    ServletRegistrationBean<WebhookIngestServlet> webhookIngestServlet(WebhookIngestController ingest, JsonMapper json) {
        ServletRegistrationBean<WebhookIngestServlet> registration =
                new ServletRegistrationBean<>(new WebhookIngestServlet(ingest, json), "/webhooks/*");
        registration.setName("webhookIngest");
        registration.setLoadOnStartup(1);
        return registration;
    }

    @Bean
    WebhookIngestController webhookIngestController(WebhookProviders providers, WebhookSources sources, EventWriter writer,
                                                    TenantDatabase database, MeterRegistry registry, JsonMapper json,
                                                    WebhooksProperties properties) {
        return new WebhookIngestController(providers, sources, writer, new Rejections(database), new IngestMetrics(registry),
                json, properties.maxBodySize().toBytes());
    }
}
