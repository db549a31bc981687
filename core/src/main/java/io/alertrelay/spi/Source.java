package io.alertrelay.spi;

/**
 * Where events come from. One implementation (Redis) is wired explicitly by the application.
 *
 * <p>Lifecycle: {@link #start} once, then {@link #close} once. A source keeps every subscription in its
 * {@link SubscriptionRegistry} alive through reconnects and failovers for as long as it runs.
 */
public interface Source extends AutoCloseable {
    /**
     * Connects and subscribes to everything in the registry. Returns once the first attempt has been made; it does
     * not fail when the server is down at start (the source keeps trying), but it throws
     * {@link ConfigurationException} for settings that can never work.
     */
    void start(MessageHandler handler);

    /** A one-line human description of what the source is connected and subscribed to, for logs and status. */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** Unsubscribes and disconnects. Idempotent. No handler calls are made after it returns. */
    @Override
    void close();
}
