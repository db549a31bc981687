package io.alertrelay.spi;

import java.util.Set;

/**
 * The subscriptions the relay wants, independent of any connection.
 *
 * <p>A source replays {@link #snapshot()} on every new connection it makes (first connect, reconnect, failover) and
 * listens for changes so a live connection follows additions and removals. Implementations are thread-safe.
 */
public interface SubscriptionRegistry {
    /** Adds a subscription; returns false when it was already there. */
    boolean add(Subscription subscription);

    /** Removes a subscription; returns false when it was not there. */
    boolean remove(Subscription subscription);

    /** An immutable, insertion-ordered copy of the desired subscriptions. */
    Set<Subscription> snapshot();

    /**
     * Registers a listener called after every change, with the new snapshot, on the thread that made the change.
     * Listeners must not block.
     */
    void addListener(Listener listener);

    @FunctionalInterface
    interface Listener {
        void changed(Set<Subscription> snapshot);
    }
}
