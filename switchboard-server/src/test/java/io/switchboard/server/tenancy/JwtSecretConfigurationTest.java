package io.switchboard.server.tenancy;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A JWT secret too short for HS256 stops the server at startup rather than accepting guessable tokens. */
class JwtSecretConfigurationTest {
    @Test
    void secretShorterThan32BytesIsRejectedAtStartup() {
        assertThatThrownBy(() -> new JwtAuthenticator(new AuthProperties.Jwt("too-short", null, null, null, Duration.ofSeconds(30))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("switchboard.auth.jwt.secret").hasMessageContaining("32 bytes");
    }

    @Test
    void withoutSecretOrJwksJwtIsDisabled() throws Exception {
        JwtAuthenticator disabled = new JwtAuthenticator(new AuthProperties.Jwt(null, null, null, null, Duration.ofSeconds(30)));
        assertThat(disabled.enabled()).isFalse();
        assertThatThrownBy(() -> disabled.verify("a.b.c")).hasMessageContaining("not enabled");
    }
}
