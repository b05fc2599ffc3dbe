package io.switchboard.lock;

import java.time.Instant;

/**
 * A lease as stored.
 *
 * @param name         lease name
 * @param holder       id of the holding {@link Lease}
 * @param instanceId   instance that holds it
 * @param fencingToken its fencing token
 * @param acquiredAt   when the holder took it
 * @param renewedAt    last renewal
 * @param expiresAt    when it lapses unless renewed
 * @param held         whether it is held now (not expired), on database time
 */
public record LeaseInfo(String name, String holder, String instanceId, long fencingToken, Instant acquiredAt,
                        Instant renewedAt, Instant expiresAt, boolean held) {
}
