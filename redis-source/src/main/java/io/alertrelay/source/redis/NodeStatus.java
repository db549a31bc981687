package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One subscription connection of the source: in {@code subscribe-on: every-node} mode there is one per data node; in
 * standalone and {@code subscribe-on: master} mode exactly one.
 *
 * @param node               the node ({@code host:port}); in master mode while resolving: {@code "unknown"}
 * @param role               the node's role as last seen
 * @param state              where the connection stands
 * @param since              when {@code state} was entered (source clock)
 * @param reason             why: the reason of the last transition, or of the last failed attempt
 * @param resubscribeCount   how many times the registry was subscribed again on this node (new connection, or a
 *                           resubscribe forced by the reconcile)
 * @param replicaOf          for a node last seen as a replica: its master ({@code host:port}) as ROLE names it
 * @param replicationLinkUp  for a replica: whether ROLE said its link to that master is up
 * @param lastConnectFailure when a connection attempt to the node last failed, if ever (source clock)
 * @param roleConfirmed      whether {@code role} was answered by ROLE on the current connection (not remembered from
 *                           an earlier one, or taken from Sentinel's lists)
 */
public record NodeStatus(String node, NodeRole role, SubscriptionState state, Instant since, String reason,
        long resubscribeCount, Optional<String> replicaOf, boolean replicationLinkUp,
        Optional<Instant> lastConnectFailure, boolean roleConfirmed) {
    public NodeStatus {
        requireNonNull(node, "node is null");
        requireNonNull(role, "role is null");
        requireNonNull(state, "state is null");
        requireNonNull(since, "since is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(replicaOf, "replicaOf is null");
        requireNonNull(lastConnectFailure, "lastConnectFailure is null");
    }

    /** A node without replication or connection-failure facts. */
    public NodeStatus(String node, NodeRole role, SubscriptionState state, Instant since, String reason,
            long resubscribeCount) {
        this(node, role, state, since, reason, resubscribeCount, Optional.empty(), false, Optional.empty(), false);
    }

    static NodeStatus of(SourceStatus status) {
        return new NodeStatus(status.node().orElse("unknown"), status.role(), status.state(), status.since(),
                status.reason(), status.resubscribeCount());
    }
}
