package io.switchboard.server.tenancy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import javax.crypto.spec.SecretKeySpec;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Verifies JWT bearer tokens: HS256 with the configured secret and/or RS256/ES256 with the keys of a JWKS URL.
 * Requires {@code exp}, {@code sub} (user id) and {@code org} (organization id); checks {@code nbf} and {@code iat}
 * with the configured leeway, and {@code iss}/{@code aud} when configured. Unsigned tokens (alg none), other
 * algorithms and unknown keys are refused.
 */
class JwtAuthenticator {
    /** Minimum HS256 secret length (RFC 7518 section 3.2: a key of at least the hash size). */
    static final int MIN_SECRET_BYTES = 32;

    /** A verified token's subject. */
    record VerifiedJwt(UUID userId, UUID orgId) {
    }

    /** The token is not acceptable; the message says why, for the client. */
    static final class InvalidTokenException extends Exception {
        InvalidTokenException(String message) {
            super(message);
        }
    }

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final long leewaySeconds;

    JwtAuthenticator(AuthProperties.Jwt settings) {
        this.leewaySeconds = settings.leeway().toSeconds();
        if (!settings.enabled()) {
            processor = null;
            return;
        }
        JWSKeySelector<SecurityContext> hmac = null;
        if (settings.secret() != null && !settings.secret().isEmpty()) {
            byte[] secret = settings.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException("switchboard.auth.jwt.secret must be at least " + MIN_SECRET_BYTES
                        + " bytes for HS256, got " + secret.length);
            }
            hmac = new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256, new SecretKeySpec(secret, "HmacSHA256"));
        }
        JWSKeySelector<SecurityContext> jwks = null;
        if (settings.jwksUrl() != null) {
            try {
                jwks = new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                        JWKSourceBuilder.create(settings.jwksUrl().toURL(),
                                        // 5 s to connect and read, 1 MiB at most: the defaults (0.5 s) are tight.
                                        new DefaultResourceRetriever(5_000, 5_000, 1 << 20))
                                .retrying(true).build());
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalStateException("switchboard.auth.jwt.jwks-url is not a valid URL: " + settings.jwksUrl(), e);
            }
        }
        JWSKeySelector<SecurityContext> hmacSelector = hmac;
        JWSKeySelector<SecurityContext> jwksSelector = jwks;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector((header, context) -> {
            JWSAlgorithm alg = header.getAlgorithm();
            if (JWSAlgorithm.HS256.equals(alg) && hmacSelector != null) {
                return hmacSelector.selectJWSKeys(header, context);
            }
            if ((JWSAlgorithm.RS256.equals(alg) || JWSAlgorithm.ES256.equals(alg)) && jwksSelector != null) {
                return jwksSelector.selectJWSKeys(header, context);
            }
            return List.of(); // refused: an algorithm not configured
        });
        JWTClaimsSet exact = settings.issuer() == null ? null : new JWTClaimsSet.Builder().issuer(settings.issuer()).build();
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                settings.audience() == null ? null : Set.of(settings.audience()), exact, Set.of("exp", "sub", "org"), null);
        claims.setMaxClockSkew((int) leewaySeconds);
        processor.setJWTClaimsSetVerifier(claims);
    }

    boolean enabled() {
        return processor != null;
    }

    VerifiedJwt verify(String token) throws InvalidTokenException {
        if (processor == null) {
            throw new InvalidTokenException("JWT bearer tokens are not enabled on this server; use an API key");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (java.text.ParseException e) {
            throw new InvalidTokenException("the bearer token is neither an API key nor a well-formed signed JWT");
        } catch (Exception e) {
            // Nimbus' messages name the failed check (expired, bad signature, missing claim) and never the token.
            throw new InvalidTokenException("the JWT was refused: " + e.getMessage());
        }
        Date issuedAt = claims.getIssueTime();
        if (issuedAt != null && issuedAt.toInstant().isAfter(Instant.now().plusSeconds(leewaySeconds))) {
            throw new InvalidTokenException("the JWT was refused: issued in the future (iat)");
        }
        try {
            Object org = claims.getClaim("org");
            return new VerifiedJwt(UUID.fromString(claims.getSubject()), UUID.fromString(String.valueOf(org)));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("the JWT was refused: 'sub' must be a user id and 'org' an organization id (UUIDs)");
        }
    }
}
