package io.alertrelay.core.outbox;

/**
 * The outbox cannot be opened: its directory is held by another relay, or cannot be created or written. The message
 * names {@code delivery.dir} and says what to do; the relay exits with the configuration exit code.
 */
public final class OutboxUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
