package io.switchboard.server.tenancy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;

/**
 * Authentication of the HTTP API ({@code switchboard.auth.*}).
 *
 * @param jwt               JWT bearer tokens; disabled unless a secret or a JWKS URL is set
 * @param bootstrapAdminKey whether the first start prints a platform-admin key: {@code auto} (with the embedded
 *                          database only), {@code true} (also with an external database; SWITCHBOARD_BOOTSTRAP_ADMIN_KEY)
 *                          or {@code false}
 */
@ConfigurationProperties("switchboard.auth")
public record AuthProperties(@DefaultValue Jwt jwt, @DefaultValue("auto") Bootstrap bootstrapAdminKey) {
    /** When to create and print the first platform-admin key. */
    public enum Bootstrap { AUTO, TRUE, FALSE }

    /**
     * @param secret   HS256 secret, at least 32 bytes; JWT with HS256 is off when unset
     * @param jwksUrl  JWKS document with the RS256/ES256 keys of an identity provider; optional
     * @param issuer   required {@code iss} when set
     * @param audience required in {@code aud} when set
     * @param leeway   clock skew allowed on exp, nbf and iat
     */
    public record Jwt(String secret, URI jwksUrl, String issuer, String audience, @DefaultValue("30s") Duration leeway) {
        boolean enabled() {
            return (secret != null && !secret.isEmpty()) || jwksUrl != null;
        }
    }
}
