package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import io.alertrelay.watchdog.RedisView.Link;
import io.alertrelay.watchdog.RedisView.Node;
import io.alertrelay.watchdog.RedisView.Role;
import io.alertrelay.watchdog.canary.CanaryMonitor;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog's decisions about the Redis source, made from a {@link RedisView} (the app only feeds it):
 * <ul>
 *   <li><b>Where canaries go and where they must come back.</b> Rounds publish on every node that takes writes: the
 *       master and any node whose ROLE says master (an old master keeps taking writes for a while after
 *       {@code SENTINEL FAILOVER}). A canary is expected back where it went (see {@link CanaryMonitor}); the monitor
 *       is told which nodes the relay listens on (a live subscription) and which is master.</li>
 *   <li><b>Blind windows, where they are real.</b> A node that takes writes is <em>covered</em> while the relay's
 *       subscription on it is live, or on one of its replicas whose replication link is up (they deliver what it
 *       publishes). An uncovered node that is reachable (connected, subscription not acknowledged) opens a blind
 *       window; one that is down cannot take writes, so its window stays <em>pending</em> and opens only if it is
 *       reached again before it is covered (a restart), starting at the last failed connection attempt (the node
 *       was not taking writes then) or at the loss if later. A pending window that ends covered, or with the node
 *       gone from the topology, was never blind: nothing was reported. Closing is {@link BlindWindows}' (with the
 *       next canary).</li>
 *   <li><b>Readiness.</b> The relay is healthy only while the master's subscription is VERIFIED.</li>
 * </ul>
 * Not thread-safe on its own: the app calls {@link #update} from one thread at a time (it synchronizes).
 */
public final class SourceWatch {
    private static final Logger log = LoggerFactory.getLogger(SourceWatch.class);
    /** The key of the single connection in standalone and master mode, whose node may change (master mode). */
    static final String SINGLE = "the subscription";

    private final List<String> subscriptions;
    private final CanaryMonitor monitor;
    private final BlindWindows blindWindows;
    private final Map<String, Gap> gaps = new LinkedHashMap<>();
    /** Writers (or {@link #SINGLE}) covered at least once: before that the relay is starting, which is no gap. */
    private final Set<String> everCovered = new java.util.HashSet<>();
    private RedisView last = new RedisView(Optional.empty(), false, List.of());

    /** @param subscriptions the registry's subscriptions, by name (each has its own blind window) */
    public SourceWatch(List<String> subscriptions, CanaryMonitor monitor, BlindWindows blindWindows) {
        this.subscriptions = List.copyOf(subscriptions);
        this.monitor = requireNonNull(monitor, "monitor is null");
        this.blindWindows = requireNonNull(blindWindows, "blindWindows is null");
    }

    /** Follows the source: canary targets and expectations, blind windows. {@code now} is the watchdog's clock. */
    public void update(RedisView view, Instant now) {
        last = view;
        Set<String> listening = new LinkedHashSet<>();
        for (Node node : view.nodes()) {
            if (node.link().live()) {
                listening.add(node.name());
            }
        }
        Optional<String> master = view.master();
        if (master.isPresent()) {
            Set<String> expected = new LinkedHashSet<>(listening);
            expected.add(master.get());
            monitor.expectedNodes(expected, master.get());
            monitor.publishOn(writers(view));
            Map<String, String> follow = new LinkedHashMap<>();
            for (Node node : view.nodes()) {
                if (node.role() == Role.REPLICA && node.roleConfirmed() && node.replicationLinkUp()
                        && node.replicaOf().isPresent()) {
                    follow.put(node.name(), node.replicaOf().get());
                }
            }
            monitor.replicasFollow(follow);
        }
        followGaps(view, now);
    }

    /**
     * The nodes that take writes: the master, and every reachable node whose ROLE, asked on its current connection,
     * says master (a role remembered from before a reconnect is not trusted: a demoted master reconnects as a
     * replica).
     */
    static Set<String> writers(RedisView view) {
        Set<String> writers = new LinkedHashSet<>();
        view.master().ifPresent(writers::add);
        for (Node node : view.nodes()) {
            if (node.role() == Role.MASTER && node.roleConfirmed() && node.link() != Link.DOWN) {
                writers.add(node.name());
            }
        }
        return writers;
    }

    /** Whatever {@code writer} publishes reaches a live subscription of the relay. */
    static boolean covered(RedisView view, String writer) {
        for (Node node : view.nodes()) {
            if (!node.link().live()) {
                continue;
            }
            if (node.name().equals(writer)) {
                return true;
            }
            if (node.role() == Role.REPLICA && node.replicationLinkUp()
                    && node.replicaOf().filter(writer::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private void followGaps(RedisView view, Instant now) {
        Map<String, Node> uncovered = new LinkedHashMap<>();
        if (!view.everyNode()) {
            // one connection (standalone, or the master wherever it is): its node may change, it is one gap
            for (Node node : view.nodes()) {
                if (!node.link().live()) {
                    uncovered.put(SINGLE, node);
                } else {
                    everCovered.add(SINGLE);
                }
            }
        } else {
            for (String writer : writers(view)) {
                if (!covered(view, writer)) {
                    uncovered.put(writer, view.node(writer).orElse(null));
                } else {
                    everCovered.add(writer);
                }
            }
        }
        uncovered.keySet().retainAll(everCovered);   // not yet covered since the start: the relay is starting
        // gaps that closed (covered again, or the node left the topology)
        for (var it = gaps.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Gap> entry = it.next();
            if (uncovered.containsKey(entry.getKey())) {
                continue;
            }
            it.remove();
            Gap gap = entry.getValue();
            String node = view.everyNode() ? entry.getKey() : view.nodes().isEmpty() ? gap.node
                    : view.nodes().get(0).name();
            if (gap.opened) {
                for (String subscription : subscriptions) {
                    monitor.subscriptionRestored(node, subscription, now);
                }
            } else {
                log.info("watchdog: the subscription covering {} was down from {} while {} took no writes (not "
                        + "reachable); not a blind window", gap.node, gap.lostAt, gap.node);
            }
        }
        // gaps that are open or pending
        for (Map.Entry<String, Node> entry : uncovered.entrySet()) {
            Node node = entry.getValue();
            Gap gap = gaps.get(entry.getKey());
            if (gap == null) {
                Instant lostAt = node == null ? now : node.since();
                gap = new Gap(node == null ? entry.getKey() : node.name(), lostAt,
                        node == null ? "no subscription on it" : node.reason());
                gaps.put(entry.getKey(), gap);
            }
            if (node != null) {
                gap.node = node.name();
            }
            boolean reachable = node != null && node.link() == Link.CONNECTED;
            if (!gap.opened && reachable) {
                gap.opened = true;
                Instant start = gap.lostAt;
                if (node.lastConnectFailure().isPresent() && node.lastConnectFailure().get().isAfter(start)) {
                    start = node.lastConnectFailure().get();   // it took no writes until at least then
                }
                for (String subscription : subscriptions) {
                    monitor.subscriptionLost(node.name(), subscription, start, gap.reason);
                }
            }
        }
    }

    /** The relay is healthy only while the current master's subscription is VERIFIED (see docs/watchdog.md). */
    public Readiness readiness() {
        RedisView view = last;
        Optional<String> master = view.master();
        Optional<Node> node = master.flatMap(view::node);
        if (node.isPresent() && node.get().link() == Link.VERIFIED) {
            return Readiness.ok();
        }
        return Readiness.notReady("master subscription is " + node.map(n -> n.link() + ": " + n.reason())
                .orElse("not known (" + master.map(m -> m + " has no subscription").orElse("no master known") + ")")
                + ", not VERIFIED");
    }

    /** Writers whose subscription coverage is gone: open (reachable) or pending (down) gaps, for {@code /status}. */
    public Map<String, String> gaps() {
        Map<String, String> result = new LinkedHashMap<>();
        gaps.forEach((key, gap) -> result.put(gap.node, (gap.opened ? "blind since " : "down (pending) since ")
                + gap.lostAt + ": " + gap.reason));
        return result;
    }

    private static final class Gap {
        String node;
        final Instant lostAt;
        final String reason;
        boolean opened;

        Gap(String node, Instant lostAt, String reason) {
            this.node = node;
            this.lostAt = lostAt;
            this.reason = reason;
        }
    }
}
