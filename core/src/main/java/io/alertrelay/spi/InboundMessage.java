package io.alertrelay.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A raw message as a source received it, before decoding.
 *
 * @param channel    the channel it was published on (for a stream entry: the stream's key)
 * @param pattern    the pattern that matched, for PSUBSCRIBE deliveries
 * @param payload    the message body exactly as published (UTF-8 decoded)
 * @param node       the server it arrived from ({@code host:port}), for diagnostics
 * @param receivedAt when the source read it
 * @param onHandled  called once the message is fully handled, for sources that acknowledge what they read (a stream
 *                   entry is XACKed then): every notification made from it is durable in the outbox, or it was
 *                   rejected, unrouted or absorbed (a canary). Not called when the message was shed or refused while
 *                   stopping (then the source reads it again). Called on a pipeline thread: must not block.
 *                   {@link Completion#NONE} for pub/sub messages.
 */
public record InboundMessage(String channel, Optional<String> pattern, String payload, String node, Instant receivedAt,
        Completion onHandled) {
    public InboundMessage {
        requireNonNull(channel, "channel is null");
        requireNonNull(pattern, "pattern is null");
        requireNonNull(payload, "payload is null");
        requireNonNull(node, "node is null");
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(onHandled, "onHandled is null");
    }

    /** A message nobody needs to hear back about (pub/sub). */
    public InboundMessage(String channel, Optional<String> pattern, String payload, String node, Instant receivedAt) {
        this(channel, pattern, payload, node, receivedAt, Completion.NONE);
    }

    /** Whether the source waits for {@link #onHandled}. */
    public boolean wantsCompletion() {
        return onHandled != Completion.NONE;
    }

    /** What a source is told once a message it read is fully handled. */
    @FunctionalInterface
    public interface Completion {
        Completion NONE = () -> { };

        void handled();
    }
}
