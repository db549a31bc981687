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
}
