package io.alertrelay.source.redis;

import io.alertrelay.config.Parsers.HostAndPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis Cluster, classic pub/sub ({@code redis.cluster.nodes}): a PUBLISH on any node reaches the subscribers of every
 * node over the cluster bus, so the relay subscribes on every master (at least {@link ClusterView#MIN_LISTENERS}
 * nodes) and delivers each message once (the source's deduplication, as in Sentinel's every-node mode). Each node's
 * connection has the same state machine, CLIENT INFO verification, PING deadline and make-before-break as Sentinel's.
 *
 * <p>The topology is read with {@code CLUSTER NODES} from the first node that answers (the nodes last seen, then the
 * seeds), on every reconcile ({@code reconcile-interval}), again after {@link #UNSETTLED_RECHECK} while a node is
 * suspected or failed or a subscription is down (a failover is under way), and at once when a subscription is lost.
 * New masters are subscribed; nodes no longer masters (demoted, failed) are left.
 *
 * <p>The relay's health ({@link #status()}) is one of the subscriptions, kept while it is live: any live subscription
 * hears the whole cluster.
 */
final class ClusterTopology extends NodeSetTopology {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);
    /** While a failover may be under way, the topology is read again this soon (not after a whole reconcile interval). */
    static final Duration UNSETTLED_RECHECK = Duration.ofSeconds(1);

    private final RedisSourceConfig.Cluster cluster;
    private volatile RedisClient lookupClient;
    /** Where to ask CLUSTER NODES next: the nodes the last answer listed, then the seeds. */
    private volatile List<String> askFirst = List.of();
    private volatile ClusterView last;
    private volatile String main;
    private volatile String reason = "not started";
    private volatile Instant since;

    ClusterTopology(Context context) {
        super(context);
        this.cluster = context.config().cluster().orElseThrow();
        this.since = context.clock().instant();
    }

    @Override
    public CompletableFuture<?> start() {
        lookupClient = RedisClient.create(context.resources());
        lookupClient.setOptions(LettuceSupport.clientOptions(context.config()).mutate().autoReconnect(false).build());
        reason = "asking the cluster for its nodes";
        context.requestReconcile();
        return context.firstReconcile().thenCompose(ignored -> {
            NodeSubscriber first = mainSubscriber();
            return first == null ? CompletableFuture.completedFuture(null) : first.firstAttempt();
        });
    }

    /**
     * The subscription the relay's health follows: the current one while it is live (SUBSCRIBED or VERIFIED), else
     * the first VERIFIED one, else the first SUBSCRIBED one, else the first node.
     */
    @Override
    protected String mainNode() {
        synchronized (context.lock()) {
            Map<String, SubscriptionState> states = new LinkedHashMap<>();
            nodes.forEach((node, subscriber) -> states.put(node, subscriber.state()));
            String next = chooseMain(main, states);
            if (next != null && !next.equals(main)) {
                main = next;
                since = context.clock().instant();
            }
            return main;
        }
    }

    /**
     * The subscription the relay's health follows, given the current choice and every node's state (in order): the
     * current one while it is live (SUBSCRIBED or VERIFIED), else the first VERIFIED one, else the first SUBSCRIBED one,
     * else the current one if it still exists, else the first node; null without nodes.
     */
    static String chooseMain(String current, Map<String, SubscriptionState> states) {
        SubscriptionState currentState = current == null ? null : states.get(current);
        if (currentState != null && live(currentState)) {
            return current;
        }
        for (SubscriptionState wanted : List.of(SubscriptionState.VERIFIED, SubscriptionState.SUBSCRIBED)) {
            for (Map.Entry<String, SubscriptionState> entry : states.entrySet()) {
                if (entry.getValue() == wanted) {
                    return entry.getKey();
                }
            }
        }
        if (currentState != null) {
            return current;
        }
        return states.keySet().stream().findFirst().orElse(null);
    }

    private static boolean live(SubscriptionState state) {
        return state == SubscriptionState.SUBSCRIBED || state == SubscriptionState.VERIFIED;
    }

    @Override
    public SourceStatus status() {
        NodeSubscriber onMain = mainSubscriber();
        boolean closed = context.isClosed();
        if (onMain != null && !closed) {
            return onMain.status();
        }
        return new SourceStatus(SubscriptionState.RESOLVING, Optional.empty(), since,
                closed ? "source closed" : reason, 0, Set.of());
    }

    @Override
    public String describeNodes() {
        StringBuilder all = new StringBuilder();
        for (NodeStatus node : nodes()) {
            all.append(all.length() == 0 ? "" : ", ").append(node.node()).append(' ').append(node.role())
                    .append(' ').append(node.state());
        }
        return ", subscribed on every cluster master [" + all + "]";
    }

    /** A subscription lost its connection: the node may have failed over; read the topology now. */
    @Override
    public void transitioned(NodeSubscriber from, SourceStatus status) {
        if (status.state() == SubscriptionState.RESOLVING && !context.isClosed() && !from.isClosed()) {
            context.requestReconcile();
        }
    }

    @Override
    public void close() {
        RedisClient client = lookupClient;
        if (client != null) {
            try {
                client.shutdown(Duration.ZERO, RedisSource.CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.debug("Redis source: cluster look-up client did not shut down cleanly: {}", e.toString());
            }
        }
    }

    @Override
    public CompletableFuture<Void> reconcile() {
        return discover(candidates(), 0, new ArrayList<>())
                .thenApplyAsync(this::apply, context.timer())
                .thenCompose(view -> view == null ? CompletableFuture.completedFuture(null) : checkNodes(view));
    }

    /** Where to ask: the nodes of the last answer (masters first), then the seeds. */
    private List<String> candidates() {
        Set<String> order = new LinkedHashSet<>();
        ClusterView view = last;
        if (view != null) {
            order.addAll(view.masters());
        }
        order.addAll(askFirst);
        for (HostAndPort seed : cluster.nodes()) {
            order.add(seed.toString());
        }
        return new ArrayList<>(order);
    }

    /** CLUSTER NODES on each candidate in turn (connect timeout each) until one answers; null when none did. */
    private CompletableFuture<Answer> discover(List<String> candidates, int index, List<String> failures) {
        if (index >= candidates.size() || context.isClosed()) {
            return CompletableFuture.completedFuture(new Answer(null, null, String.join("; ", failures)));
        }
        String node = candidates.get(index);
        return ask(node).handle((reply, error) -> {
            if (error == null) {
                try {
                    return CompletableFuture.completedFuture(new Answer(ClusterView.parse(node, reply), reply, null));
                } catch (IllegalArgumentException e) {
                    failures.add(node + ": " + e.getMessage());
                }
            } else {
                failures.add(node + ": " + LettuceSupport.describe(LettuceSupport.unwrap(error)));
            }
            return discover(candidates, index + 1, failures);
        }).thenCompose(next -> next);
    }

    private CompletableFuture<String> ask(String node) {
        RedisClient client = lookupClient;
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not started"));
        }
        RedisURI uri = LettuceSupport.nodeUri(context.config(), node);
        uri.setClientName(context.config().clientName() + "-topology");
        long timeout = context.config().connectTimeout().toMillis();
        CompletableFuture<StatefulRedisConnection<String, String>> connecting;
        try {
            connecting = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connecting.orTimeout(timeout, TimeUnit.MILLISECONDS)
                .thenCompose(conn -> conn.async().clusterNodes().toCompletableFuture()
                        .orTimeout(timeout, TimeUnit.MILLISECONDS)
                        .whenComplete((reply, error) -> conn.closeAsync()))
                .whenComplete((reply, error) -> {
                    if (error != null) {   // a connection made after the timeout fired: close it too
                        connecting.thenAccept(StatefulRedisConnection::closeAsync);
                    }
                });
    }

    private record Answer(ClusterView view, String reply, String failures) {}

    /** Follows the answer: subscribe on every master, leave the others. Null when no node answered. */
    private ClusterView apply(Answer answer) {
        if (context.isClosed()) {
            return null;
        }
        if (answer.view() == null) {
            String why = "no cluster node answered CLUSTER NODES (" + answer.failures() + "); keeping the"
                    + " subscriptions we have";
            if (!why.equals(reason)) {
                log.warn("Redis source: {}", why);
            }
            reason = why;
            recheckSoon();
            return null;
        }
        ClusterView view = answer.view();
        ClusterView previous = last;
        last = view;
        askFirst = view.reachable();
        Set<String> wanted = view.subscribeOn();
        if (previous == null || !previous.subscribeOn().equals(wanted)) {
            log.info("Redis source: cluster {}; subscribing on {}", view.summary(), wanted);
        }
        follow(wanted, node -> view.role(node).map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).orElse("node")
                        + " per CLUSTER NODES on " + view.answeredBy(),
                node -> "CLUSTER NODES on " + view.answeredBy() + " no longer lists it as a live master");
        reason = "cluster " + view.summary();
        if (ClusterView.unsettled(answer.reply()) || wanted.isEmpty()) {
            recheckSoon();
        }
        String before = main;
        String now = mainNode();
        if (now != null && !now.equals(before)) {
            log.info("Redis source: the relay's health now follows the subscription on {}{}", now,
                    before == null ? "" : " (was " + before + ")");
            context.notifyListeners(status());
        }
        return view;
    }

    private void recheckSoon() {
        try {
            context.timer().schedule(context::requestReconcile, UNSETTLED_RECHECK.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** ROLE on every node (recorded, the view's role otherwise), then CLIENT INFO re-checks and repairs. */
    private CompletableFuture<Void> checkNodes(ClusterView view) {
        List<NodeSubscriber> all = subscribers();
        Map<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> roles = new LinkedHashMap<>();
        Map<NodeSubscriber, Long> asked = new HashMap<>();
        for (NodeSubscriber subscriber : all) {
            asked.put(subscriber, subscriber.roleVersion());
            roles.put(subscriber, subscriber.queryRole(context.config().connectTimeout()));
        }
        return CompletableFuture.allOf(roles.values().toArray(CompletableFuture[]::new)).thenAcceptAsync(ignored -> {
            boolean anyDown = false;
            for (Map.Entry<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> entry : roles.entrySet()) {
                NodeSubscriber subscriber = entry.getKey();
                if (subscriber.isClosed()) {
                    continue;
                }
                String node = subscriber.fixedNode().orElseThrow();
                // a newer answer recorded meanwhile (a reconnect asks ROLE at once) beats this round's
                Optional<NodeRole> seen = subscriber.roleVersion() != asked.get(subscriber) ? Optional.empty()
                        : entry.getValue().getNow(Optional.empty());
                if (seen.isPresent()) {
                    subscriber.role(seen.get(), "ROLE on the node");
                } else if (subscriber.role() == NodeRole.UNKNOWN) {
                    view.role(node).ifPresent(role -> subscriber.role(role, "CLUSTER NODES"));
                }
                anyDown |= !live(subscriber.state());
                context.repair(subscriber);
            }
            if (anyDown) {
                recheckSoon();
            }
        }, context.timer());
    }
}
