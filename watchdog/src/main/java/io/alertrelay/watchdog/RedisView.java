package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the watchdog needs to know of the Redis source, filled by the app from the source's state at every transition
 * (and once a second): the master, and per node its role, replication and the relay's subscription there. The
 * watchdog's decisions ({@link SourceWatch}) are made on this value alone, so they are unit-tested on a manual clock.
 *
 * @param master   the node that is master as the source follows it (Sentinel's choice, or ROLE while Sentinel lags);
 *                 in standalone mode the one server; empty while unknown
 * @param everyNode whether the source subscribes on every data node (Sentinel's default) rather than one connection
 * @param nodes    the relay's subscription connections, one per node in every-node mode, else exactly one
 */
public record RedisView(Optional<String> master, boolean everyNode, List<Node> nodes) {
    public RedisView {
        requireNonNull(master, "master is null");
        nodes = List.copyOf(nodes);
    }

    /** A node's role as last seen (ROLE on it, else Sentinel's lists). */
    public enum Role { MASTER, REPLICA, UNKNOWN }

    /** Where the relay's subscription on a node stands. */
    public enum Link {
        /** No connection (lost, or never made): the node may be down. */
        DOWN,
        /** Connected, the subscription not (yet) acknowledged by the server. */
        CONNECTED,
        /** Every subscription acknowledged by the server (also a frozen node's still-open connection). */
        ACKNOWLEDGED,
        /** Acknowledged and confirmed by CLIENT INFO on the same connection. */
        VERIFIED;

        /** Whatever the node publishes reaches this connection. */
        public boolean live() {
            return this == ACKNOWLEDGED || this == VERIFIED;
        }
    }

    /**
     * One subscription connection.
     *
     * @param name               the node ({@code host:port})
     * @param replicaOf          for a replica: the master it replicates from
     * @param replicationLinkUp  for a replica: its link to that master is up
     * @param since              when {@code link} was entered
     * @param reason             why (the last transition)
     * @param lastConnectFailure when a connection attempt to the node last failed, if ever
     * @param roleConfirmed      whether ROLE answered {@code role} on the current connection (not a stale memory)
     */
    public record Node(String name, Role role, Optional<String> replicaOf, boolean replicationLinkUp, Link link,
                       Instant since, String reason, Optional<Instant> lastConnectFailure, boolean roleConfirmed) {
        public Node {
            requireNonNull(name, "name is null");
            requireNonNull(role, "role is null");
            requireNonNull(replicaOf, "replicaOf is null");
            requireNonNull(link, "link is null");
            requireNonNull(since, "since is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(lastConnectFailure, "lastConnectFailure is null");
        }
    }

    public Optional<Node> node(String name) {
        return nodes.stream().filter(node -> node.name().equals(name)).findFirst();
    }
}
