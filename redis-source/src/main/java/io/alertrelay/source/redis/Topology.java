package io.alertrelay.source.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where the {@link RedisSource} places its subscription connections, one implementation per Redis topology: a single
 * connection ({@link SingleTopology}: standalone, or the master Sentinel names), one per data node Sentinel knows
 * ({@link SentinelTopology}), one per master of a Redis Cluster ({@link ClusterTopology}). The source owns what is the
 * same everywhere: the connections' lifecycle and messages, deduplication, the PING ticks and make-before-break
 * replacement; a topology decides which connections exist, which one is the relay's health, and how to reconcile them
 * with what the servers say.
 *
 * <p>Maps of subscribers are guarded by {@link Context#lock()}, which the source also holds while it swaps a replaced
 * connection ({@link #isCurrent}, {@link #promoted}).
 */
interface Topology {
    /** Starts; the future completes when the first attempt on the relay's main connection finished. */
    CompletableFuture<?> start();

    /** The relay's health: the subscription on the node whose delivery the relay counts on. */
    SourceStatus status();

    /** Every subscription connection, the one {@link #status()} reports first. */
    List<NodeStatus> nodes();

    /** The watchdog asks for a fresh subscription on {@code node} (make-before-break). */
    void resubscribe(String node, String reason);

    /** One round of checks against the servers; the source runs one at a time. */
    CompletableFuture<Void> reconcile();

    /** The current connections (not replacements under way). */
    List<NodeSubscriber> subscribers();

    /** Whether {@code subscriber} is the live one for its place; called holding {@link Context#lock()}. */
    boolean isCurrent(NodeSubscriber subscriber);

    /** {@code fresh} takes {@code old}'s place; called holding {@link Context#lock()} after {@link #isCurrent}. */
    void promoted(NodeSubscriber old, NodeSubscriber fresh);

    /** Whether {@code address} ({@code host:port}) is one of the topology's own look-up connections (not a subscriber). */
    default boolean isLookup(String address) {
        return false;
    }

    /** A subscription changed state ({@code status}, already logged and reported to the source's listeners). */
    default void transitioned(NodeSubscriber from, SourceStatus status) {}

    /** Extra text for {@link RedisSource#describe()}, or empty. */
    default String describeNodes() {
        return "";
    }

    /** For tests: ignore Sentinel events. */
    default void sentinelEventsEnabled(boolean enabled) {}

    /** Closes what the topology opened besides its subscribers (which the source closes). */
    default void close() {}

    /** What a topology needs of its source. */
    interface Context {
        RedisSourceConfig config();

        Clock clock();

        ScheduledExecutorService timer();

        ClientResources resources();

        /** Guards the topology's subscriber maps and the source's handovers. */
        Object lock();

        boolean isClosed();

        /** A new (not started) subscription connection with the source's callbacks. */
        NodeSubscriber newSubscriber(RedisURI uri, String fixedNode, String target);

        /** Make-before-break resubscription of {@code subscriber} (see {@link RedisSource#replace}). */
        void replace(NodeSubscriber subscriber, String reason);

        /** Re-checks a VERIFIED connection (CLIENT INFO); resubscribes one stuck waiting for acknowledgements. */
        void repair(NodeSubscriber subscriber);

        void notifyListeners(SourceStatus status);

        /** Runs a reconcile on the timer soon (one at a time). */
        void requestReconcile();

        /** Completes after the first reconcile round finished. */
        CompletableFuture<Void> firstReconcile();
    }
}
