package io.alertrelay.source.redis;

/**
 * Where the source's subscriber connection stands. Every new connection walks the states in order; losing the
 * connection goes back to {@link #RESOLVING}; a registry change or an unexpected acknowledgement goes back to
 * {@link #CONNECTED} until the server has confirmed the new set.
 */
public enum SubscriptionState {
    /** No usable connection: connecting, looking the master up through Sentinel, or waiting to retry. */
    RESOLVING,
    /** Connected (handshake and CLIENT SETNAME done); SUBSCRIBE/PSUBSCRIBE for the registry sent, not all acknowledged. */
    CONNECTED,
    /** The server acknowledged every registry entry on this connection, and nothing else. */
    SUBSCRIBED,
    /** {@code CLIENT INFO} on the same connection shows {@code sub=}/{@code psub=} equal to the registry's counts. */
    VERIFIED
}
