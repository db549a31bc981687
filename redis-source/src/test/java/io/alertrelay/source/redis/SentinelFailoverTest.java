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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The 2018 incident, replayed: a master behind Sentinel dies or freezes, Sentinel promotes the replica, and the source
 * must be subscribed on the new master and receive what is published there. Runs with the default placement
 * ({@code subscribe-on: every-node}); {@link SentinelFailoverMasterModeTest} runs the same with {@code master}.
 */
@RequiresRedisServer
class SentinelFailoverTest {
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final Duration RECOVERY = Duration.ofSeconds(20);

    private final InMemorySubscriptionRegistry registry =
            new InMemorySubscriptionRegistry(List.of(Subscription.pattern("alerts:*")));
    private final RecordingHandler handler = new RecordingHandler();
    private SentinelTopology topology;
    private RedisSource source;

    @BeforeEach
    void setUp() {
        topology = SentinelTopology.start();
        source = new RedisSource(RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", Map.of(
                "sentinel", Map.of("master", SentinelTopology.MASTER_NAME, "nodes", topology.sentinelAddresses()),
                "client-name", "alert-relay-failover-test",
                "connect-timeout", "2s",
                "ping-interval", "500ms",
                "ping-timeout", "1s",
                "subscribe-on", subscribeOn()))).section("redis")), registry);
        source.start(handler);
        Await.verifiedOn(source, topology.master().address(), RECOVERY);
        topology.master().command("PUBLISH", "alerts:before", "before failover");
        // in every-node mode the replica may deliver its copy first; in master mode only the master is subscribed
        List<String> deliverers = subscribeOn().equals("master") ? List.of(topology.master().address())
                : topology.dataNodes().stream().map(RedisServerProcess::address).toList();
        assertThat(handler.awaitPayload("before failover", RECOVERY).node()).isIn(deliverers);
    }

    RedisSource source() {
        return source;
    }

    SentinelTopology topology() {
        return topology;
    }

    RecordingHandler handler() {
        return handler;
    }

    /** The {@code redis.subscribe-on} value under test. */
    String subscribeOn() {
        return "every-node";
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
    void followsTheNewMasterAfterTheMasterIsKilled() {
        RedisServerProcess oldMaster = topology.master();
        oldMaster.kill();

        HostAndPort promoted = topology.awaitFailover(FAILOVER);
        assertThat(promoted.port()).isNotEqualTo(oldMaster.port());

        assertReceivesOnTheNewMaster(promoted, "after kill");
    }

    @Test
    void leavesAFrozenMasterThanksToThePingDeadline() {
        RedisServerProcess oldMaster = topology.master();
        oldMaster.pause();   // SIGSTOP: no reset, the socket just goes silent
        try {
            HostAndPort promoted = topology.awaitFailover(FAILOVER);
            assertThat(promoted.port()).isNotEqualTo(oldMaster.port());

            assertReceivesOnTheNewMaster(promoted, "after freeze");
            assertThat(source.status().resubscribeCount()).isGreaterThanOrEqualTo(1);
        } finally {
            oldMaster.resume();
        }
    }

    private void assertReceivesOnTheNewMaster(HostAndPort promoted, String payload) {
        String newMaster = RedisServerProcess.HOST + ":" + promoted.port();
        Await.verifiedOn(source, newMaster, RECOVERY);
        assertThat(topology.master().address()).isEqualTo(newMaster);
        // 1 receiver, or 2 while a make-before-break replacement briefly holds a second connection there
        assertThat(Integer.parseInt(topology.master().command("PUBLISH", "alerts:failover", payload))).isBetween(1, 2);

        InboundMessage message = handler.awaitPayload(payload, RECOVERY);
        assertThat(handler.messages()).filteredOn(m -> m.payload().equals(payload)).hasSize(1);
        assertThat(message.channel()).isEqualTo("alerts:failover");
        assertThat(message.pattern()).contains("alerts:*");
        assertThat(message.node()).isEqualTo(newMaster);
        assertThat(source.status().resubscribeCount()).isGreaterThanOrEqualTo(1);
        assertThat(source.status().acknowledged()).containsExactly(Subscription.pattern("alerts:*"));
    }
}
