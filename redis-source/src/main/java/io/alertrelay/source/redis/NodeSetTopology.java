package io.alertrelay.source.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the topologies with one subscription connection per data node share (Sentinel's every-node mode, Cluster): the
 * connections by {@code host:port}, following a wanted set of nodes, listing them with the relay's main one first,
 * and swapping a replaced connection in. Each node's connection is to that fixed node ({@link LettuceSupport#nodeUri}).
 */
abstract class NodeSetTopology implements Topology {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    protected final Context context;
    /** One subscription per data node, by {@code host:port}; guarded by {@link Context#lock()}. */
    protected final Map<String, NodeSubscriber> nodes = new LinkedHashMap<>();

    NodeSetTopology(Context context) {
        this.context = context;
    }

    /** The node whose subscription is the relay's health ({@link #status()}), or null while none is. */
    protected abstract String mainNode();

    /** The subscription on {@link #mainNode()}, or null. */
    protected NodeSubscriber mainSubscriber() {
        String current = mainNode();
        if (current == null) {
            return null;
        }
        synchronized (context.lock()) {
            return nodes.get(current);
        }
    }

    @Override
    public List<NodeStatus> nodes() {
        List<NodeStatus> result = new ArrayList<>();
        String main = mainNode();
        synchronized (context.lock()) {
            NodeSubscriber onMain = main == null ? null : nodes.get(main);
            if (onMain != null) {
                result.add(onMain.nodeStatus());
            }
            for (NodeSubscriber subscriber : nodes.values()) {
                if (subscriber != onMain) {
                    result.add(subscriber.nodeStatus());
                }
            }
        }
        return result;
    }

    @Override
    public void resubscribe(String node, String reason) {
        NodeSubscriber target;
        synchronized (context.lock()) {
            target = nodes.get(node);
        }
        if (target != null) {
            context.replace(target, "watchdog: " + reason);
        }
        context.requestReconcile();
    }

    @Override
    public List<NodeSubscriber> subscribers() {
        synchronized (context.lock()) {
            return List.copyOf(nodes.values());
        }
    }

    @Override
    public boolean isCurrent(NodeSubscriber subscriber) {
        return subscriber.fixedNode().map(node -> nodes.get(node) == subscriber).orElse(false);
    }

    @Override
    public void promoted(NodeSubscriber old, NodeSubscriber fresh) {
        nodes.put(old.fixedNode().orElseThrow(), fresh);
    }

    @Override
    public String describeNodes() {
        StringBuilder all = new StringBuilder();
        for (NodeStatus node : nodes()) {
            all.append(all.length() == 0 ? "" : ", ").append(node.node()).append(' ').append(node.role())
                    .append(' ').append(node.state());
        }
        return ", subscribed on every node [" + all + "]";
    }

    /**
     * Makes the subscribed nodes exactly {@code wanted}: starts a subscription on each new node (logged with
     * {@code whyNew}), closes the others (with {@code whyGone}).
     */
    protected void follow(Set<String> wanted, Function<String, String> whyNew, Function<String, String> whyGone) {
        List<NodeSubscriber> toStart = new ArrayList<>();
        List<NodeSubscriber> toClose = new ArrayList<>();
        synchronized (context.lock()) {
            for (String node : wanted) {
                if (!nodes.containsKey(node)) {
                    NodeSubscriber subscriber = context.newSubscriber(
                            LettuceSupport.nodeUri(context.config(), node), node, node);
                    nodes.put(node, subscriber);
                    toStart.add(subscriber);
                    log.info("Redis source: subscribing on {} ({})", node, whyNew.apply(node));
                }
            }
            for (var it = nodes.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                if (!wanted.contains(entry.getKey())) {
                    it.remove();
                    toClose.add(entry.getValue());
                }
            }
        }
        for (NodeSubscriber subscriber : toStart) {
            subscriber.start();
        }
        for (NodeSubscriber subscriber : toClose) {
            String node = subscriber.fixedNode().orElse("?");
            LettuceSupport.inBackground(() -> subscriber.close("stopped the subscription on " + node + ": "
                    + whyGone.apply(node)));
        }
    }
}
