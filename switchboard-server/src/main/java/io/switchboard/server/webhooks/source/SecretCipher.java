package io.switchboard.server.webhooks.source;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Encrypts source secrets at rest with AES-256-GCM: a random 12-byte nonce per secret, stored as
 * {@code nonce || ciphertext || tag}. The source id is authenticated data, so a ciphertext copied to another
 * source's row does not decrypt there.
 */
public final class SecretCipher {
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    private SecretCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A cipher under {@code base64Key}, which must decode to exactly 32 bytes. */
    public static SecretCipher fromBase64(String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("switchboard.webhooks.secret-key is not valid base64");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("switchboard.webhooks.secret-key must be base64 of 32 bytes, got "
                    + key.length + " bytes");
        }
        return new SecretCipher(key);
    }

    /** A new random key, base64-encoded. */
    static String newBase64Key() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    byte[] encrypt(UUID sourceId, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(sourceId));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** The secret, or an exception when the key is not the one it was encrypted with or the bytes were altered. */
    String decrypt(UUID sourceId, byte[] stored) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            cipher.updateAAD(aad(sourceId));
            return new String(cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a secret of webhook source " + sourceId
                    + " does not decrypt with the configured switchboard.webhooks.secret-key", e);
        }
    }

    private static byte[] aad(UUID sourceId) {
        return ("webhook-source:" + sourceId).getBytes(StandardCharsets.UTF_8);
    }
}
