package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.Parsers.HostAndPort;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A Redis Cluster's nodes as one node sees them ({@code CLUSTER NODES}), and where the relay subscribes for classic
 * pub/sub: a PUBLISH on any node reaches the subscribers of every node (over the cluster bus), so the relay listens on
 * every master that is not marked failed ({@link #subscribeOn()}), and, should that be fewer than
 * {@link #MIN_LISTENERS} nodes (a one-shard cluster), on replicas too. Without I/O.
 *
 * @param answeredBy the node ({@code host:port}) whose answer this is
 * @param nodes      every node of the answer, in its order
 */
record ClusterView(String answeredBy, List<Node> nodes) {
    /** The relay listens on at least this many nodes when the cluster has them, so one node's loss loses nothing. */
    static final int MIN_LISTENERS = 2;

    ClusterView {
        requireNonNull(answeredBy, "answeredBy is null");
        nodes = List.copyOf(nodes);
    }

    /**
     * One line of {@code CLUSTER NODES}.
     *
     * @param id       the node id
     * @param address  {@code host:port} (the client port), or empty for a node without an address ({@code noaddr})
     * @param master   flagged {@code master} (else a replica)
     * @param failed   flagged {@code fail} (agreed failed by the majority of masters), {@code handshake} or
     *                 {@code noaddr}; a {@code fail?} (one node's suspicion) is not failed
     * @param masterId for a replica: its master's id
     * @param slots    how many hash slots it serves
     */
    record Node(String id, Optional<String> address, boolean master, boolean failed, Optional<String> masterId,
                int slots) {}

    /**
     * Parses a {@code CLUSTER NODES} reply.
     *
     * @throws IllegalArgumentException when a line is not understood (the reply is not used)
     */
    static ClusterView parse(String answeredBy, String reply) {
        List<Node> nodes = new ArrayList<>();
        for (String raw : reply.split("\r?\n")) {
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(" ");
            if (fields.length < 8) {
                throw new IllegalArgumentException("CLUSTER NODES line with " + fields.length + " fields: " + line);
            }
            Set<String> flags = Set.of(fields[2].toLowerCase(Locale.ROOT).split(","));
            Optional<String> address = address(fields[1]);
            boolean failed = flags.contains("fail") || flags.contains("handshake") || flags.contains("noaddr")
                    || address.isEmpty();
            Optional<String> masterId = "-".equals(fields[3]) ? Optional.empty() : Optional.of(fields[3]);
            int slots = 0;
            for (int i = 8; i < fields.length; i++) {
                String slot = fields[i];
                if (slot.startsWith("[")) {
                    continue;   // a slot being imported or migrated: still served by its owner
                }
                int dash = slot.indexOf('-');
                try {
                    slots += dash < 0 ? 1 : Integer.parseInt(slot.substring(dash + 1))
                            - Integer.parseInt(slot.substring(0, dash)) + 1;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("CLUSTER NODES slot range '" + slot + "' in: " + line);
                }
            }
            nodes.add(new Node(fields[0], address, flags.contains("master"), failed, masterId, slots));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("empty CLUSTER NODES reply");
        }
        return new ClusterView(answeredBy, nodes);
    }

    /** {@code ip:port@cport[,hostname]} to {@code ip:port}; empty for {@code :0} (no address known). */
    private static Optional<String> address(String field) {
        int end = field.length();
        for (char stop : new char[] {'@', ','}) {
            int at = field.indexOf(stop);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        String hostPort = field.substring(0, end);
        try {
            HostAndPort parsed = HostAndPort.parse(hostPort);
            return parsed.host().isEmpty() || parsed.port() == 0 ? Optional.empty() : Optional.of(parsed.toString());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every master not marked failed, with an address. */
    List<String> masters() {
        List<String> masters = new ArrayList<>();
        for (Node node : nodes) {
            if (node.master() && !node.failed()) {
                node.address().ifPresent(masters::add);
            }
        }
        return masters;
    }

    /** Where the relay subscribes: every master ({@link #masters()}); replicas too while that is below the minimum. */
    Set<String> subscribeOn() {
        Set<String> wanted = new LinkedHashSet<>(masters());
        for (Node node : nodes) {
            if (wanted.size() >= MIN_LISTENERS) {
                break;
            }
            if (!node.master() && !node.failed()) {
                node.address().ifPresent(wanted::add);
            }
        }
        return wanted;
    }

    /** The role {@code CLUSTER NODES} gives {@code address}, if it lists it. */
    Optional<NodeRole> role(String address) {
        return nodes.stream().filter(node -> node.address().filter(address::equals).isPresent()).findFirst()
                .map(node -> node.master() ? NodeRole.MASTER : NodeRole.REPLICA);
    }

    /** Every node with an address that is not marked failed (where the topology can be asked next time). */
    List<String> reachable() {
        List<String> result = new ArrayList<>();
        for (Node node : nodes) {
            if (!node.failed()) {
                node.address().ifPresent(result::add);
            }
        }
        return result;
    }

    /** Whether any node is suspected or marked failed (a failover may be under way: look again soon). */
    static boolean unsettled(String reply) {
        for (String line : reply.split("\r?\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length > 2 && (fields[2].contains("fail") || fields[2].contains("handshake"))) {
                return true;
            }
        }
        return false;
    }

    /** One line for logs: the masters and how many slots each serves. */
    String summary() {
        StringBuilder text = new StringBuilder();
        for (Node node : nodes) {
            if (node.master()) {
                text.append(text.length() == 0 ? "" : ", ").append(node.address().orElse("?")).append(' ')
                        .append(node.slots()).append(" slots").append(node.failed() ? " (failed)" : "");
            }
        }
        return "masters per " + answeredBy + ": [" + text + "]";
    }
}
