package io.alertrelay.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A raw message as a source received it, before decoding.
 *
 * @param channel    the channel it was published on
 * @param pattern    the pattern that matched, for PSUBSCRIBE deliveries
 * @param payload    the message body exactly as published (UTF-8 decoded)
 * @param node       the server it arrived from ({@code host:port}), for diagnostics
 * @param receivedAt when the source read it
 */
public record InboundMessage(String channel, Optional<String> pattern, String payload, String node, Instant receivedAt) {
    public InboundMessage {
        requireNonNull(channel, "channel is null");
        requireNonNull(pattern, "pattern is null");
        requireNonNull(payload, "payload is null");
        requireNonNull(node, "node is null");
        requireNonNull(receivedAt, "receivedAt is null");
    }
}
