package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import io.alertrelay.testing.redis.SentinelTopology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code subscribe-on: every-node} on a real Sentinel topology (master, replica, three sentinels): one subscription per
 * data node, each published message delivered once, and the master's subscription found again after failovers, also
 * when every Sentinel event is missed.
 */
@RequiresRedisServer
class SentinelEveryNodeTest {
    private static final String CLIENT_NAME = "alert-relay-every-node-test";
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The default reconcile interval (5 s) plus generous slack for a loaded machine. */
    private static final Duration RECONCILE_BOUND = RedisSourceConfig.DEFAULT_RECONCILE_INTERVAL.plusSeconds(5);

    private final InMemorySubscriptionRegistry registry =
            new InMemorySubscriptionRegistry(List.of(Subscription.pattern("alerts:*"), Subscription.channel("ops")));
    private final RecordingHandler handler = new RecordingHandler();
    private final List<SourceStatus> transitions = new CopyOnWriteArrayList<>();
    private SentinelTopology topology;
    private RedisSource source;

    @BeforeEach
    void setUp() {
        topology = SentinelTopology.start();
        source = new RedisSource(RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", Map.of(
                "sentinel", Map.of("master", SentinelTopology.MASTER_NAME, "nodes", topology.sentinelAddresses()),
                "client-name", CLIENT_NAME,
                "connect-timeout", "2s",
                "ping-interval", "500ms",
                "ping-timeout", "1s"))).section("redis")), registry);
        assertThat(source.config().everyNode()).isTrue();
        source.addStateListener(transitions::add);
        source.start(handler);
        awaitEveryNodeVerified(topology.master().address(), topology.replica().address());
    }

    @AfterEach
    void tearDown() {
        try {
            if (source != null) {
                source.close();
            }
        } finally {
            for (RedisServerProcess node : topology.dataNodes()) {
                if (node.isPaused()) {
                    node.resume();
                }
            }
            topology.close();
        }
    }

    @Test
    void subscribesOnEveryNodeWithOurNameAndReportsEachNode() {
        for (RedisServerProcess node : topology.dataNodes()) {
            assertThat(node.command("CLIENT", "LIST", "TYPE", "pubsub").lines()
                    .filter(line -> line.contains("name=" + CLIENT_NAME + " ")))
                    .singleElement()
                    .satisfies(line -> assertThat(line).contains(" sub=1 ").contains(" psub=1 "));
        }
        List<NodeStatus> nodes = source.nodes();
        assertThat(nodes).hasSize(2);
        assertThat(nodes.get(0).node()).isEqualTo(topology.master().address());
        assertThat(nodes.get(0).role()).isEqualTo(NodeRole.MASTER);
        assertThat(nodes.get(1).node()).isEqualTo(topology.replica().address());
        assertThat(nodes.get(1).role()).isEqualTo(NodeRole.REPLICA);
        assertThat(source.status().node()).contains(topology.master().address());
        assertThat(source.status().role()).isEqualTo(NodeRole.MASTER);
        assertThat(transitions).extracting(status -> status.node().orElseThrow()).contains(
                topology.master().address(), topology.replica().address());
        assertThat(source.describe()).contains("subscribed on every node").contains(topology.replica().address());
    }

    @Test
    void aPublishOnTheMasterIsDeliveredOnceAlthoughBothNodesReceiveIt() {
        String master = topology.master().address();
        String replica = topology.replica().address();
        Map<String, Long> before = source.receivedByNode();

        assertThat(topology.master().command("PUBLISH", "alerts:once", "exactly once")).isEqualTo("1");

        awaitReceived(master, before, 1);
        awaitReceived(replica, before, 1);
        assertThat(payloads("exactly once")).hasSize(1);
        assertThat(source.duplicatesDropped()).isGreaterThanOrEqualTo(1);
        InboundMessage message = handler.awaitPayload("exactly once", WAIT);
        assertThat(message.node()).isIn(master, replica);
        assertThat(message.pattern()).contains("alerts:*");
    }

    @Test
    void theDuplicateObserverSeesTheCopyFromTheOtherNode() {
        String master = topology.master().address();
        String replica = topology.replica().address();
        List<InboundMessage> copies = new CopyOnWriteArrayList<>();
        source.setDuplicateObserver(copies::add);

        topology.master().command("PUBLISH", "alerts:__canary__", "canary 1");

        InboundMessage delivered = handler.awaitPayload("canary 1", WAIT);
        Await.until(() -> "the other node's copy observed; copies " + copies, WAIT,
                () -> copies.stream().anyMatch(copy -> copy.payload().equals("canary 1")));
        InboundMessage copy = copies.stream().filter(c -> c.payload().equals("canary 1")).findFirst().orElseThrow();
        assertThat(List.of(delivered.node(), copy.node())).containsExactlyInAnyOrder(master, replica);
        assertThat(payloads("canary 1")).hasSize(1);
    }

    @Test
    void theSamePayloadPublishedTwiceIsTwoAlerts() {
        String master = topology.master().address();
        String replica = topology.replica().address();
        Map<String, Long> before = source.receivedByNode();

        topology.master().command("PUBLISH", "ops", "disk full");
        topology.master().command("PUBLISH", "ops", "disk full");

        awaitReceived(master, before, 2);
        awaitReceived(replica, before, 2);
        assertThat(payloads("disk full")).hasSize(2);
    }

    @Test
    void afterTheMasterIsKilledDeliveryContinuesAndThePromotedNodeIsTheVerifiedMaster() {
        RedisServerProcess oldMaster = topology.master();
        oldMaster.kill();
        HostAndPort promoted = topology.awaitFailover(FAILOVER);
        String newMaster = RedisServerProcess.HOST + ":" + promoted.port();

        awaitMasterVerifiedOn(newMaster, WAIT);
        assertThat(topology.master().command("PUBLISH", "alerts:after", "after kill")).isEqualTo("1");
        assertThat(handler.awaitPayload("after kill", WAIT).node()).isEqualTo(newMaster);
        assertThat(payloads("after kill")).hasSize(1);

        NodeStatus first = source.nodes().get(0);
        assertThat(first.node()).isEqualTo(newMaster);
        assertThat(first.role()).isEqualTo(NodeRole.MASTER);
        assertThat(first.state()).isEqualTo(SubscriptionState.VERIFIED);
        assertThat(source.nodes()).extracting(NodeStatus::node).contains(oldMaster.address());   // still listed
        assertThat(source.nodes()).filteredOn(n -> n.node().equals(oldMaster.address()))
                .singleElement().satisfies(n -> assertThat(n.state()).isEqualTo(SubscriptionState.RESOLVING));
    }

    @Test
    void aDeadFormerMasterIsDroppedOnceSentinelForgetsIt() {
        RedisServerProcess oldMaster = topology.master();
        oldMaster.kill();
        HostAndPort promoted = topology.awaitFailover(FAILOVER);
        String newMaster = RedisServerProcess.HOST + ":" + promoted.port();
        awaitMasterVerifiedOn(newMaster, WAIT);
        assertThat(source.nodes()).extracting(NodeStatus::node).contains(oldMaster.address());   // still listed

        for (RedisServerProcess sentinel : topology.sentinels()) {
            sentinel.command("SENTINEL", "RESET", SentinelTopology.MASTER_NAME);   // forget the dead replica
        }
        Await.until(() -> "the dead node dropped; nodes " + source.nodes(), RECONCILE_BOUND,
                () -> source.nodes().stream().noneMatch(n -> n.node().equals(oldMaster.address())));
        assertThat(source.nodes()).extracting(NodeStatus::node).containsExactly(newMaster);
        // the subscriber leaves nodes() first and is closed in the background, which reports the transition
        Await.until(() -> "the close of " + oldMaster.address() + " reported; transitions " + transitions, WAIT,
                () -> transitions.stream().anyMatch(status -> status.node().filter(oldMaster.address()::equals)
                        .isPresent() && status.reason().contains("no answering sentinel lists it")));
        topology.master().command("PUBLISH", "ops", "after reset");
        handler.awaitPayload("after reset", WAIT);
    }

    @Test
    void registryChangesReachEveryNode() {
        registry.add(Subscription.channel("new-channel"));
        Await.until(() -> "new-channel on every node; nodes " + source.nodes(), WAIT, () -> topology.dataNodes()
                .stream().allMatch(node -> node.command("PUBSUB", "NUMSUB", "new-channel").equals("new-channel\n1")));
        awaitEveryNodeVerified(topology.master().address(), topology.replica().address());
        Map<String, Long> before = source.receivedByNode();
        topology.master().command("PUBLISH", "new-channel", "on the new channel");
        awaitReceived(topology.replica().address(), before, 1);
        awaitReceived(topology.master().address(), before, 1);
        assertThat(payloads("on the new channel")).hasSize(1);
    }

    @Test
    void aLostReplicaDoesNotMakeTheRelayUnhealthy() {
        RedisServerProcess replica = topology.replica();
        replica.kill();
        Await.until(() -> "the replica's subscription RESOLVING; nodes " + source.nodes(), WAIT,
                () -> source.nodes().stream().anyMatch(n -> n.node().equals(replica.address())
                        && n.state() == SubscriptionState.RESOLVING));
        assertThat(source.status().state()).isEqualTo(SubscriptionState.VERIFIED);
        assertThat(source.status().node()).contains(topology.master().address());
        topology.master().command("PUBLISH", "ops", "replica gone");
        assertThat(handler.awaitPayload("replica gone", WAIT).node()).isEqualTo(topology.master().address());
    }

    @Test
    void aMissedSwitchMasterIsRepairedByTheReconcile() {
        source.sentinelEventsEnabled(false);   // as if every +switch-master (and every other event) were lost
        RedisServerProcess oldMaster = topology.master();
        String oldAddress = oldMaster.address();

        assertThat(topology.sentinels().get(0).command("SENTINEL", "FAILOVER", SentinelTopology.MASTER_NAME))
                .isEqualTo("OK");
        HostAndPort promoted = topology.awaitFailover(FAILOVER);
        String newMaster = RedisServerProcess.HOST + ":" + promoted.port();
        assertThat(newMaster).isNotEqualTo(oldAddress);

        awaitMasterVerifiedOn(newMaster, RECONCILE_BOUND);
        assertThat(source.status().reason()).doesNotContain("Sentinel event");
        assertThat(topology.master().command("PUBLISH", "alerts:after", "after graceful failover")).isEqualTo("1");
        assertThat(handler.awaitPayload("after graceful failover", WAIT).channel()).isEqualTo("alerts:after");
        assertThat(payloads("after graceful failover")).hasSize(1);

        // the former master keeps its subscription (it is still reachable); Sentinel demotes it later
        assertThat(source.nodes()).extracting(NodeStatus::node).contains(oldAddress);
    }

    @Test
    void aSwitchMasterEventMovesTheMasterSubscriptionAtOnce() {
        assertThat(topology.sentinels().get(1).command("SENTINEL", "FAILOVER", SentinelTopology.MASTER_NAME))
                .isEqualTo("OK");
        HostAndPort promoted = topology.awaitFailover(FAILOVER);
        awaitMasterVerifiedOn(RedisServerProcess.HOST + ":" + promoted.port(), WAIT);
        topology.master().command("PUBLISH", "ops", "after event");
        handler.awaitPayload("after event", WAIT);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private List<InboundMessage> payloads(String payload) {
        return handler.messages().stream().filter(m -> m.payload().equals(payload)).toList();
    }

    private void awaitReceived(String node, Map<String, Long> before, long more) {
        long start = before.getOrDefault(node, 0L);
        Await.until(() -> node + " received " + more + " more; received " + source.receivedByNode(), WAIT,
                () -> source.receivedByNode().getOrDefault(node, 0L) >= start + more);
    }

    private void awaitEveryNodeVerified(String master, String replica) {
        Await.until(() -> "VERIFIED on master " + master + " and replica " + replica + "; nodes " + source.nodes(),
                WAIT, () -> {
                    List<NodeStatus> nodes = source.nodes();
                    return nodes.size() == 2
                            && nodes.stream().allMatch(n -> n.state() == SubscriptionState.VERIFIED)
                            && nodes.get(0).node().equals(master) && nodes.get(0).role() == NodeRole.MASTER
                            && nodes.get(1).node().equals(replica) && nodes.get(1).role() == NodeRole.REPLICA;
                });
    }

    private void awaitMasterVerifiedOn(String node, Duration timeout) {
        Await.until(() -> "master subscription VERIFIED on " + node + "; status " + source.status() + "; nodes "
                + source.nodes(), timeout, () -> {
                    SourceStatus status = source.status();
                    return status.state() == SubscriptionState.VERIFIED && status.node().filter(node::equals).isPresent()
                            && status.role() == NodeRole.MASTER;
                });
    }
}
