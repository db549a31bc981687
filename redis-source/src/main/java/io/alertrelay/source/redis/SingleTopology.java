package io.alertrelay.source.redis;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One subscription connection: to the standalone server ({@code redis.url}), or to the master Sentinel names
 * ({@code redis.subscribe-on: master}; Lettuce looks the master up again on every reconnect, and the reconcile drops a
 * connection that landed on a node Sentinel no longer names, or whose ROLE says replica).
 */
final class SingleTopology implements Topology {
    private final Context context;
    /** Master mode: Sentinel's view and events; null for a standalone server. */
    private final SentinelWatch sentinelWatch;
    private final Instant createdAt;
    private volatile NodeSubscriber single;

    SingleTopology(Context context, SentinelWatch sentinelWatch) {
        this.context = context;
        this.sentinelWatch = sentinelWatch;
        this.createdAt = context.clock().instant();
    }

    @Override
    public CompletableFuture<?> start() {
        RedisSourceConfig config = context.config();
        String fixed = null;   // the node is known while connected only
        single = context.newSubscriber(LettuceSupport.redisUri(config), fixed, config.redactedTarget());
        CompletableFuture<?> firstAttempt = single.start();
        if (sentinelWatch != null) {
            sentinelWatch.start();
        }
        return firstAttempt;
    }

    @Override
    public SourceStatus status() {
        NodeSubscriber current = single;
        return current != null ? current.status()
                : new SourceStatus(SubscriptionState.RESOLVING, Optional.empty(), createdAt,
                        context.isClosed() ? "source closed" : "not started", 0, Set.of());
    }

    @Override
    public List<NodeStatus> nodes() {
        NodeSubscriber current = single;
        return List.of(current != null && !context.isClosed() ? current.nodeStatus() : NodeStatus.of(status()));
    }

    @Override
    public void resubscribe(String node, String reason) {
        NodeSubscriber target = single;
        if (target != null) {
            context.replace(target, "watchdog: " + reason);
        }
    }

    /** Role and CLIENT INFO checks; master mode: also leave a node that is not master. */
    @Override
    public CompletableFuture<Void> reconcile() {
        NodeSubscriber subscriber = single;
        if (subscriber == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Optional<String>> named = CompletableFuture.completedFuture(Optional.empty());
        if (sentinelWatch != null) {
            sentinelWatch.ensureEventSubscriptions();
            named = sentinelWatch.query().thenApply(SentinelWatch.View::master);
        }
        CompletableFuture<Optional<NodeRole>> role = subscriber.queryRole(context.config().connectTimeout());
        return named.thenCombine(role, (masterNamed, seen) -> {
            seen.ifPresent(r -> subscriber.role(r, "ROLE on the node"));
            if (subscriber.state() == SubscriptionState.RESOLVING) {
                return null;
            }
            String node = subscriber.node();
            if (masterNamed.isPresent() && !masterNamed.get().equals(node)) {
                subscriber.drop("reconcile: Sentinel names " + masterNamed.get() + " master but this subscription is"
                        + " on " + node + "; reconnecting (the master is looked up again)");
            } else if (sentinelWatch != null && seen.isPresent() && seen.get() == NodeRole.REPLICA) {
                subscriber.drop("reconcile: ROLE on " + node + " says replica; reconnecting (the master is looked up"
                        + " again)");
            } else {
                context.repair(subscriber);
            }
            return null;
        });
    }

    @Override
    public List<NodeSubscriber> subscribers() {
        NodeSubscriber current = single;
        return current == null ? List.of() : List.of(current);
    }

    @Override
    public boolean isCurrent(NodeSubscriber subscriber) {
        return single == subscriber;
    }

    @Override
    public void promoted(NodeSubscriber old, NodeSubscriber fresh) {
        single = fresh;
    }

    @Override
    public boolean isLookup(String address) {
        return sentinelWatch != null && context.config().sentinel()
                .map(s -> s.nodes().stream().anyMatch(n -> n.toString().equals(address))).orElse(false);
    }

    @Override
    public void sentinelEventsEnabled(boolean enabled) {
        if (sentinelWatch != null) {
            sentinelWatch.eventsEnabled(enabled);
        }
    }

    @Override
    public void close() {
        if (sentinelWatch != null) {
            sentinelWatch.close();
        }
    }
}
