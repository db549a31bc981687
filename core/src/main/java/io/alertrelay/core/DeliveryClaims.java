package io.alertrelay.core;

import java.time.Duration;

/**
 * Port: several relays subscribed to the same patterns each receive every alert; before a sink call, a relay claims
 * the notification's idempotency key where all of them can see it, and only the winner calls the sink. The app wires
 * the Redis implementation ({@code SET key value NX PX ttl} on the master the source follows) when
 * {@code delivery.claims.enabled} is on; {@link #none()} otherwise.
 *
 * <p>Fail open: when the claim cannot be made (Redis unreachable, no permission), {@link Result#UNAVAILABLE} and the
 * caller delivers anyway (a duplicate beats a miss) and counts it. Called on a sink worker's thread; may block up to
 * the implementation's command timeout.
 */
public interface DeliveryClaims extends AutoCloseable {
    enum Result {
        /** This relay holds the claim (new, or its own still alive): deliver. */
        WON,
        /** Another relay holds a live claim: do not deliver now; look again after {@link #recheckAfter()}. */
        HELD_ELSEWHERE,
        /** Another relay (or this one, in an earlier run) delivered it: drop it without calling the sink. */
        DONE_ELSEWHERE,
        /** The claim could not be made: deliver anyway (fail open) and count it. */
        UNAVAILABLE
    }

    /** Claims {@code key} for this relay for the claim TTL (extending its own claim). */
    Result claim(String key);

    /** The notification was delivered (or rejected for good): the key is remembered as done. Best effort. */
    void done(String key);

    /** How long to wait before asking again about a key another relay holds. */
    default Duration recheckAfter() {
        return Duration.ofSeconds(1);
    }

    @Override
    default void close() {}

    /** No claims: every notification is this relay's (one relay, or duplicates accepted). */
    static DeliveryClaims none() {
        return new DeliveryClaims() {
            @Override
            public Result claim(String key) {
                return Result.WON;
            }

            @Override
            public void done(String key) {
                // nothing to remember
            }

            @Override
            public String toString() {
                return "no claims";
            }
        };
    }
}
