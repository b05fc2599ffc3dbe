package io.switchboard.server.webhooks.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where the key that encrypts source secrets comes from: the configured key; else, with the embedded database,
 * a key generated once and kept in a file beside its data directory (owner-only); else none, and sources cannot
 * be created.
 */
final class SecretKeys {
    private static final Logger log = LoggerFactory.getLogger(SecretKeys.class);
    static final String KEY_FILE = "webhook-secret.key";

    private SecretKeys() {
    }

    /**
     * @param configured   {@code switchboard.webhooks.secret-key}, may be blank
     * @param embeddedData the embedded database's data directory, or null with an external database
     */
    static Optional<SecretCipher> resolve(String configured, Path embeddedData) {
        if (configured != null && !configured.isBlank()) {
            return Optional.of(SecretCipher.fromBase64(configured));
        }
        if (embeddedData == null) {
            log.warn("switchboard.webhooks.secret-key (SWITCHBOARD_WEBHOOK_SECRET_KEY) is not set: webhook sources cannot "
                    + "be created or used until it is set to base64 of 32 random bytes");
            return Optional.empty();
        }
        Path file = embeddedData.toAbsolutePath().normalize().resolveSibling(KEY_FILE);
        return Optional.of(SecretCipher.fromBase64(readOrCreate(file)));
    }

    private static String readOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, SecretCipher.newBase64Key() + "\n", StandardCharsets.US_ASCII);
                    log.info("Created the webhook secret encryption key in {} (keep it with the data; without it the "
                            + "stored webhook secrets cannot be read)", file);
                } catch (FileAlreadyExistsException raced) {
                    // Another process created it first: use theirs.
                } catch (UnsupportedOperationException notPosix) {
                    Files.writeString(file, SecretCipher.newBase64Key() + "\n", StandardCharsets.US_ASCII);
                }
            }
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the webhook secret key file " + file, e);
        }
    }
}
