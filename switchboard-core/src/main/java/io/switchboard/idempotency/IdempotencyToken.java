package io.switchboard.idempotency;

/**
 * Proof that a request holds an idempotency key in flight. Only the current holder's token can complete or release
 * the key: when a retry takes over a key whose lease lapsed, it gets a larger token and the old one stops working.
 *
 * @param scope        the key's scope (for example the client)
 * @param key          the idempotency key
 * @param fencingToken the holder's token, larger for every new holder
 */
public record IdempotencyToken(String scope, String key, long fencingToken) {
}
