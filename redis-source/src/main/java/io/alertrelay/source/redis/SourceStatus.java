package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Subscription;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of the Redis source's subscriber connection.
 *
 * @param state            where the connection stands
 * @param node             the server it is connected to ({@code host:port}), empty while {@link SubscriptionState#RESOLVING}
 * @param since            when {@code state} was entered (source clock)
 * @param reason           why: the reason of the last transition, or of the last failed attempt while resolving
 * @param resubscribeCount how many times the registry was re-subscribed on a new connection after the first one
 * @param acknowledged     the subscriptions the server acknowledged on the current connection
 */
public record SourceStatus(
        SubscriptionState state,
        Optional<String> node,
        Instant since,
        String reason,
        long resubscribeCount,
        Set<Subscription> acknowledged) {
    public SourceStatus {
        requireNonNull(state, "state is null");
        requireNonNull(node, "node is null");
        requireNonNull(since, "since is null");
        requireNonNull(reason, "reason is null");
        acknowledged = Set.copyOf(acknowledged);
    }
}
