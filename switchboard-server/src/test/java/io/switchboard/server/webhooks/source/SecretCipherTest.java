package io.switchboard.server.webhooks.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretCipherTest {
    private final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.newBase64Key());
    private final UUID source = UUID.randomUUID();

    @Test
    void secretRoundTripsUnderItsSource() {
        byte[] sealed = cipher.encrypt(source, "whsec_round_trip_secret");
        assertThat(sealed).hasSize(12 + "whsec_round_trip_secret".length() + 16);
        assertThat(cipher.decrypt(source, sealed)).isEqualTo("whsec_round_trip_secret");
    }

    @Test
    void ciphertextMovedToAnotherSourceAlteredOrUnderAnotherKeyDoesNotDecrypt() {
        byte[] sealed = cipher.encrypt(source, "whsec_round_trip_secret");
        assertThatThrownBy(() -> cipher.decrypt(UUID.randomUUID(), sealed)).isInstanceOf(IllegalStateException.class);
        byte[] altered = sealed.clone();
        altered[20] ^= 1;
        assertThatThrownBy(() -> cipher.decrypt(source, altered)).isInstanceOf(IllegalStateException.class);
        SecretCipher other = SecretCipher.fromBase64(SecretCipher.newBase64Key());
        assertThatThrownBy(() -> other.decrypt(source, sealed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keysThatAreNot32BytesOfBase64AreRefused() {
        assertThatThrownBy(() -> SecretCipher.fromBase64("not base64!")).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> SecretCipher.fromBase64("AAAA")).hasMessageContaining("32 bytes, got 3 bytes");
    }

    @Test
    void embeddedDatabaseKeyIsCreatedOnceOwnerOnlyBesideTheDataAndReused(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("postgres");
        SecretCipher first = SecretKeys.resolve("", data).orElseThrow();
        Path file = dir.resolve(SecretKeys.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        byte[] sealed = first.encrypt(source, "whsec_kept_across_restarts");
        SecretCipher second = SecretKeys.resolve(null, data).orElseThrow();
        assertThat(second.decrypt(source, sealed)).isEqualTo("whsec_kept_across_restarts");
    }

    @Test
    void externalDatabaseWithoutAKeyHasNoCipher() {
        assertThat(SecretKeys.resolve(" ", null)).isEmpty();
    }
}
