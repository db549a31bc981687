package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Subscription;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of one subscriber connection of the Redis source. {@link RedisSource#status()} returns the one on the
 * current master (the relay's health); state listeners get every node's transitions.
 *
 * @param state            where the connection stands
 * @param node             the server it is connected to ({@code host:port}); in standalone and master mode empty while
 *                         {@link SubscriptionState#RESOLVING}; in every-node mode always the node it belongs to
 * @param since            when {@code state} was entered (source clock)
 * @param reason           why: the reason of the last transition, or of the last failed attempt while resolving
 * @param resubscribeCount how many times the registry was re-subscribed after the first time on this connection's node
 * @param acknowledged     the subscriptions the server acknowledged on the current connection
 * @param role             the node's role as last seen ({@link NodeRole#UNKNOWN} in standalone mode)
 */
public record SourceStatus(
        SubscriptionState state,
        Optional<String> node,
        Instant since,
        String reason,
        long resubscribeCount,
        Set<Subscription> acknowledged,
        NodeRole role) {
    public SourceStatus {
        requireNonNull(state, "state is null");
        requireNonNull(node, "node is null");
        requireNonNull(since, "since is null");
        requireNonNull(reason, "reason is null");
        acknowledged = Set.copyOf(acknowledged);
        requireNonNull(role, "role is null");
    }

    /** A status without a known role. */
    public SourceStatus(SubscriptionState state, Optional<String> node, Instant since, String reason,
            long resubscribeCount, Set<Subscription> acknowledged) {
        this(state, node, since, reason, resubscribeCount, acknowledged, NodeRole.UNKNOWN);
    }
}
