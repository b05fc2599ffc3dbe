package io.switchboard.idempotency;

import java.time.Duration;
import java.time.Instant;

/** What {@link IdempotencyKeys#begin} decided for a request. */
public sealed interface Claim permits Claim.Proceed, Claim.Replay, Claim.InFlight, Claim.FingerprintMismatch {
    /**
     * The key is new (or expired, or its earlier holder's lease lapsed): run the request, then
     * {@link IdempotencyKeys#complete complete} or {@link IdempotencyKeys#release release} with this token.
     *
     * @param token the holder's token
     */
    record Proceed(IdempotencyToken token) implements Claim {
    }

    /**
     * The key's first request finished: answer with its stored response, do not run the request again.
     *
     * @param response  the stored response
     * @param createdAt when the first request began
     */
    record Replay(StoredResponse response, Instant createdAt) implements Claim {
    }

    /**
     * The key's first request is still running (or died less than a lease ago).
     *
     * @param leaseRemaining how long until a retry may take the key over, if the first request does not finish
     */
    record InFlight(Duration leaseRemaining) implements Claim {
    }

    /** The key was used for a different request (another fingerprint): refuse, whether it finished or not. */
    record FingerprintMismatch() implements Claim {
    }
}
