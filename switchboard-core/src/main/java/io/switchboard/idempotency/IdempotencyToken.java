package io.switchboard.idempotency;

/**
 * Proof that a request holds an idempotency key in flight. Only the current holder's token can complete or release
 * the key: when a retry takes over a key whose lease lapsed, it gets a larger token and the old one stops working.
 *
 * @param scope        the key's scope (for example the client)
 * @param key          the idempotency key
 * @param fencingToken the holder's token, larger for every new holder
 * @param fingerprint  what the request was (as given to {@link IdempotencyKeys#begin}); a claim inside a caller's
 *                     transaction writes the key's row only when the response is stored, with this
 */
public record IdempotencyToken(String scope, String key, long fencingToken, String fingerprint) {
}
