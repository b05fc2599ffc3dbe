package io.switchboard.server.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the HTTP API ({@code switchboard.http.*}).
 *
 * @param maxRequestSize larger request bodies are refused with 413 before they are read
 */
@ConfigurationProperties("switchboard.http")
public record HttpProperties(@DefaultValue("1MB") DataSize maxRequestSize) {
    public HttpProperties {
        if (maxRequestSize.toBytes() < 1) {
            throw new IllegalArgumentException("switchboard.http.max-request-size must be positive, got " + maxRequestSize);
        }
    }
}
