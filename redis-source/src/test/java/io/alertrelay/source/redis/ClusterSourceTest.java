package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.redis.RedisCluster;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.cluster} on a real six-node cluster ({@link RedisCluster}): one verified subscription per master, every
 * PUBLISH (on any node) delivered once, and the subscriptions following a CLUSTER FAILOVER and a killed master.
 */
@RequiresRedisServer
class ClusterSourceTest {
    private static final String CLIENT_NAME = "alert-relay-cluster-test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InMemorySubscriptionRegistry registry =
            new InMemorySubscriptionRegistry(List.of(Subscription.pattern("alerts:*"), Subscription.channel("ops")));
    private final RecordingHandler handler = new RecordingHandler();
    private RedisCluster cluster;
    private RedisSource source;

    @BeforeEach
    void setUp() {
        cluster = RedisCluster.start();
        // seeds as in the shape: a few nodes, the rest discovered
        source = new RedisSource(RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", Map.of(
                "cluster", Map.of("nodes", cluster.addresses().subList(0, 2)),
                "client-name", CLIENT_NAME,
                "connect-timeout", "2s",
                "ping-interval", "500ms",
                "ping-timeout", "1s"))).section("redis")), registry);
        source.start(handler);
        awaitVerifiedOn(cluster.masters());
    }

    @AfterEach
    void tearDown() {
        try {
            if (source != null) {
                source.close();
            }
        } finally {
            cluster.close();
        }
    }

    @Test
    void subscribesOnEveryMasterAndDeliversEachPublishOnce() {
        assertThat(source.nodes()).extracting(NodeStatus::node).containsExactlyInAnyOrderElementsOf(cluster.masters());
        assertThat(source.nodes()).allSatisfy(node -> {
            assertThat(node.role()).isEqualTo(NodeRole.MASTER);
            assertThat(node.roleConfirmed()).isTrue();
        });
        assertThat(source.status().state()).isEqualTo(SubscriptionState.VERIFIED);
        for (String master : cluster.masters()) {
            assertThat(cluster.node(master).command("CLIENT", "LIST", "TYPE", "pubsub").lines()
                    .filter(line -> line.contains("name=" + CLIENT_NAME + " ")))
                    .singleElement()
                    .satisfies(line -> assertThat(line).contains(" sub=1 ").contains(" psub=1 "));
        }
        int sent = 0;
        for (String address : cluster.addresses()) {   // masters and replicas: the bus carries it everywhere
            cluster.node(address).command("PUBLISH", "alerts:x", "from-" + address);
            cluster.node(address).command("PUBLISH", "ops", "ops-from-" + address);
            sent += 2;
        }
        Await.until("every message", WAIT, () -> handler.messages().size() >= cluster.addresses().size() * 2);
        sleep(Duration.ofMillis(500));   // copies from the other masters have arrived (and were dropped)
        assertThat(handler.messages()).hasSize(sent);
        assertThat(handler.messages().stream().map(InboundMessage::payload).distinct()).hasSize(sent);
        assertThat(source.duplicatesDropped()).isGreaterThanOrEqualTo((long) sent * (cluster.masters().size() - 1));
    }

    @Test
    void followsAClusterFailover() {
        String master = cluster.masters().get(0);
        String replica = cluster.replicaOf(master).orElseThrow();
        cluster.node(replica).command("CLUSTER", "FAILOVER");
        Await.until(() -> replica + " promoted (" + cluster.clusterNodes() + ")", WAIT,
                () -> cluster.masters().contains(replica) && !cluster.masters().contains(master));
        awaitVerifiedOn(cluster.masters());
        Await.until(() -> "no subscription on the demoted " + master + " (" + source.nodes() + ")", WAIT,
                () -> source.nodes().stream().noneMatch(n -> n.node().equals(master)));
        cluster.node(master).command("PUBLISH", "alerts:x", "on-demoted");
        cluster.node(replica).command("PUBLISH", "alerts:x", "on-promoted");
        handler.awaitPayload("on-demoted", WAIT);
        handler.awaitPayload("on-promoted", WAIT);
    }

    @Test
    void aKilledMasterIsReplacedByItsPromotedReplica() {
        String master = cluster.masters().get(1);
        String replica = cluster.replicaOf(master).orElseThrow();
        cluster.node(master).kill();
        cluster.node(cluster.masters().stream().filter(m -> !m.equals(master)).findFirst().orElseThrow())
                .command("PUBLISH", "alerts:x", "while-failing-over");
        handler.awaitPayload("while-failing-over", WAIT);
        Await.until(() -> replica + " promoted (" + cluster.clusterNodes() + ")", WAIT,
                () -> cluster.masters().contains(replica));
        awaitVerifiedOn(cluster.masters());
        assertThat(source.nodes()).extracting(NodeStatus::node).doesNotContain(master);
        cluster.node(replica).command("PUBLISH", "alerts:x", "on-promoted");
        handler.awaitPayload("on-promoted", WAIT);
        assertThat(source.status().state()).isEqualTo(SubscriptionState.VERIFIED);
    }

    @Test
    void deliveryClaimsFollowTheSlotsAcrossMasters() {
        RedisSourceConfig config = source.config();
        try (RedisDeliveryClaims first = new RedisDeliveryClaims(config, "relay-a", "test:claim:", Duration.ofSeconds(30),
                Duration.ofHours(1));
             RedisDeliveryClaims second = new RedisDeliveryClaims(config, "relay-b", "test:claim:",
                     Duration.ofSeconds(30), Duration.ofHours(1))) {
            for (int i = 0; i < 30; i++) {   // keys on every shard: a plain connection to one seed would get MOVED
                String key = "ops:firing:a-" + i;
                assertThat(first.claim(key)).as(key).isEqualTo(io.alertrelay.core.DeliveryClaims.Result.WON);
                assertThat(second.claim(key)).as(key).isEqualTo(io.alertrelay.core.DeliveryClaims.Result.HELD_ELSEWHERE);
                first.done(key);
                assertThat(second.claim(key)).as(key).isEqualTo(io.alertrelay.core.DeliveryClaims.Result.DONE_ELSEWHERE);
            }
            assertThat(first.failures()).isZero();
            assertThat(second.failures()).isZero();
        }
    }

    private void awaitVerifiedOn(List<String> nodes) {
        Set<String> wanted = new HashSet<>(nodes);
        Await.until(() -> "VERIFIED on " + wanted + " (" + source.nodes() + ")", WAIT, () -> {
            Set<String> verified = new HashSet<>();
            for (NodeStatus node : source.nodes()) {
                if (node.state() == SubscriptionState.VERIFIED) {
                    verified.add(node.node());
                }
            }
            return verified.containsAll(wanted);
        });
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
