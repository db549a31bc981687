package io.alertrelay.source.redis;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentinel's every-node mode ({@code redis.subscribe-on: every-node}, the Sentinel default): one subscription per data
 * node Sentinel lists (master and replicas, and a former master until it is seen demoted). The relay's health is the
 * subscription on the master Sentinel names, or on the node whose ROLE says master while Sentinel lags. The reconcile
 * follows Sentinel's view, asks ROLE on every node (a changed role resubscribes: Sentinel closes the pub/sub
 * connections of the nodes it promotes and demotes) and re-checks every subscription with CLIENT INFO.
 */
final class SentinelTopology extends NodeSetTopology {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    private final SentinelWatch sentinelWatch;
    /** The master as Sentinel last named it. */
    private volatile String master;
    /**
     * Set while the node Sentinel names master itself reports ROLE replica and exactly one subscribed node reports ROLE
     * master (after the FAILOVER command Sentinel lags 25-30 s): health follows the node that really is master. Never
     * set while Sentinel's choice still reports master, so an isolated old master cannot win.
     */
    private volatile String roleMaster;
    private volatile String masterReason = "not started";
    private volatile Instant masterSince;
    /** Sentinel-versus-ROLE disagreements already logged (each once). */
    private final Set<String> roleMismatches = ConcurrentHashMap.newKeySet();

    SentinelTopology(Context context, SentinelWatch sentinelWatch) {
        super(context);
        this.sentinelWatch = sentinelWatch;
        this.masterSince = context.clock().instant();
    }

    @Override
    public CompletableFuture<?> start() {
        sentinelWatch.start();
        masterReason = "asking Sentinel for the master";
        context.requestReconcile();
        return context.firstReconcile().thenCompose(ignored -> {
            NodeSubscriber onMaster = mainSubscriber();
            return onMaster == null ? CompletableFuture.completedFuture(null) : onMaster.firstAttempt();
        });
    }

    @Override
    protected String mainNode() {
        return roleMaster != null ? roleMaster : master;
    }

    /**
     * The connection to the node Sentinel names master (or ROLE, while Sentinel lags), or RESOLVING with the reason
     * while no master is known or it has no connection yet.
     */
    @Override
    public SourceStatus status() {
        NodeSubscriber onMaster = mainSubscriber();
        boolean closed = context.isClosed();
        if (onMaster != null && !closed) {
            return onMaster.status();
        }
        return new SourceStatus(SubscriptionState.RESOLVING, Optional.ofNullable(master), masterSince,
                closed ? "source closed" : masterReason, 0, Set.of(),
                master == null ? NodeRole.UNKNOWN : NodeRole.MASTER);
    }

    @Override
    public boolean isLookup(String address) {
        return context.config().sentinel()
                .map(s -> s.nodes().stream().anyMatch(n -> n.toString().equals(address))).orElse(false);
    }

    @Override
    public void sentinelEventsEnabled(boolean enabled) {
        sentinelWatch.eventsEnabled(enabled);
    }

    @Override
    public void close() {
        sentinelWatch.close();
    }

    @Override
    public CompletableFuture<Void> reconcile() {
        sentinelWatch.ensureEventSubscriptions();
        return sentinelWatch.query()
                .thenApplyAsync(this::applyTopology, context.timer())
                .thenCompose(view -> view == null ? CompletableFuture.completedFuture(null) : checkNodes(view));
    }

    /** Follows Sentinel's view (master, replicas); returns null when no sentinel answered. */
    private SentinelWatch.View applyTopology(SentinelWatch.View view) {
        if (context.isClosed()) {
            return null;
        }
        if (view.master().isEmpty()) {
            String why = "no sentinel answered (" + view.summary() + "); keeping the subscriptions we have";
            if (!why.equals(masterReason)) {
                log.warn("Redis source: {}", why);
            }
            masterReason = why;
            if (master == null) {
                try {   // nothing known yet: try again soon rather than after a whole reconcile interval
                    context.timer().schedule(context::requestReconcile,
                            context.config().reconnectDelayMax().toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
            return null;
        }
        String named = view.master().get();
        String previous = master;
        Set<String> wanted = new LinkedHashSet<>();
        synchronized (context.lock()) {
            wanted.add(named);
            wanted.addAll(view.replicas());
            for (NodeSubscriber subscriber : nodes.values()) {
                String node = subscriber.fixedNode().orElseThrow();
                if (!wanted.contains(node) && subscriber.role() == NodeRole.MASTER) {
                    wanted.add(node);   // a former master Sentinel no longer lists, not seen demoted: keep it
                }
            }
        }
        follow(wanted, node -> (node.equals(named) ? "master" : "replica") + " per Sentinel",
                node -> "no answering sentinel lists it any more and it was not last seen as master");
        master = named;
        masterReason = "Sentinel names " + named + " master (" + view.answered() + " sentinel(s) answered, epoch "
                + view.configEpoch() + ")";
        if (!named.equals(previous)) {
            masterSince = context.clock().instant();
            NodeSubscriber onMaster = mainSubscriber();
            if (onMaster != null) {
                onMaster.role(NodeRole.MASTER, "Sentinel names it master");
            }
            log.info("Redis source: Sentinel names {} master{}; the relay's subscription is now the one on it ({})",
                    named, previous == null ? "" : " (was " + previous + ")", status().state());
            context.notifyListeners(status());
        }
        return view;
    }

    /** ROLE on every node, then CLIENT INFO re-checks and repairs. */
    private CompletableFuture<Void> checkNodes(SentinelWatch.View view) {
        List<NodeSubscriber> all = subscribers();
        Map<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> roles = new LinkedHashMap<>();
        Map<NodeSubscriber, Long> asked = new HashMap<>();
        for (NodeSubscriber subscriber : all) {
            asked.put(subscriber, subscriber.roleVersion());
            roles.put(subscriber, subscriber.queryRole(context.config().connectTimeout()));
        }
        return CompletableFuture.allOf(roles.values().toArray(CompletableFuture[]::new)).thenAcceptAsync(ignored -> {
            String named = view.master().orElse(null);
            // a newer answer recorded meanwhile (a reconnect asks ROLE at once) beats this round's: the round waited
            // for its slowest node (a frozen one takes connect-timeout), so its answers may be stale by then
            roles.replaceAll((subscriber, answer) -> subscriber.roleVersion() != asked.get(subscriber)
                    ? CompletableFuture.completedFuture(Optional.empty()) : answer);
            followRoleMaster(named, roles);
            for (Map.Entry<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> entry : roles.entrySet()) {
                NodeSubscriber subscriber = entry.getKey();
                if (subscriber.isClosed()) {
                    continue;
                }
                String node = subscriber.fixedNode().orElseThrow();
                Optional<NodeRole> seen = entry.getValue().getNow(Optional.empty());
                NodeRole bySentinel = node.equals(named) ? NodeRole.MASTER
                        : view.replicas().contains(node) ? NodeRole.REPLICA : null;
                NodeRole before = subscriber.role();
                NodeRole now = seen.orElse(bySentinel != null ? bySentinel : before);
                if (subscriber.role(now, seen.isPresent() ? "ROLE on the node" : "Sentinel's lists")
                        && seen.isPresent() && before != NodeRole.UNKNOWN) {
                    context.replace(subscriber, "reconcile: ROLE on " + node + " now says " + now + " (was " + before
                            + "); subscribing the registry again");
                    continue;
                }
                if (seen.isPresent() && bySentinel != null && seen.get() != bySentinel
                        && roleMismatches.add(node + " " + bySentinel + " " + seen.get())) {
                    log.info("Redis source: Sentinel sees {} as {} but its ROLE says {} (not demoted yet?)", node,
                            bySentinel, seen.get());
                }
                context.repair(subscriber);
            }
        }, context.timer());
    }

    /**
     * When the node Sentinel names master reports ROLE replica and exactly one other subscribed node reports ROLE
     * master, that node's subscription is the relay's health until Sentinel catches up (logged once each way).
     */
    private void followRoleMaster(String named, Map<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> roles) {
        String candidate = null;
        boolean namedIsReplica = false;
        int reportingMaster = 0;
        for (Map.Entry<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> entry : roles.entrySet()) {
            String node = entry.getKey().fixedNode().orElse(null);
            Optional<NodeRole> seen = entry.getValue().getNow(Optional.empty());
            if (node == null || seen.isEmpty()) {
                continue;
            }
            if (node.equals(named)) {
                namedIsReplica = seen.get() == NodeRole.REPLICA;
            } else if (seen.get() == NodeRole.MASTER) {
                reportingMaster++;
                candidate = node;
            }
        }
        String next = namedIsReplica && reportingMaster == 1 ? candidate : null;
        String before = roleMaster;
        if (Objects.equals(before, next)) {
            return;
        }
        roleMaster = next;
        if (next != null) {
            log.info("Redis source: Sentinel still names {} master but its ROLE says replica, and {} says master; "
                    + "the relay's health follows {} until Sentinel catches up", named, next, next);
        } else {
            log.info("Redis source: Sentinel and ROLE agree again ({} is master)", named);
        }
        context.notifyListeners(status());
    }
}
