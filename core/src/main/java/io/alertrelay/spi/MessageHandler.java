package io.alertrelay.spi;

/**
 * Receives raw messages from a {@link Source}.
 *
 * <p>Called on the source's I/O thread. Implementations must not block: they hand the message off and return. They
 * never throw; a source that gets an exception anyway logs it and carries on.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(InboundMessage message);

    /**
     * A message the source read but could not turn into a payload (a stream entry without the configured field): to be
     * recorded as a rejection with this stable {@code reason} and human {@code detail}, then completed like any
     * rejected message. The default only completes it.
     */
    default void onUnreadable(InboundMessage message, String reason, String detail) {
        message.onHandled().handled();
    }
}
