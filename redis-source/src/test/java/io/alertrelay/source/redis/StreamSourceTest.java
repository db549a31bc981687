package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.Rejection;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import io.alertrelay.testing.redis.SentinelTopology;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream source against real redis-server processes: acknowledgement, poison, take-over, give-up, failover. */
@RequiresRedisServer
final class StreamSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String STREAM = "alerts:stream";

    /** Completes every message at once (as the pipeline does for a rejection) and records what it saw. */
    private static final class Recorder implements MessageHandler {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final List<String> unreadable = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(InboundMessage message) {
            payloads.add(message.payload());
            message.onHandled().handled();
        }

        @Override
        public void onUnreadable(InboundMessage message, String reason, String detail) {
            unreadable.add(reason + ": " + detail);
            message.onHandled().handled();
        }
    }

    private RedisServerProcess redis;
    private SentinelTopology topology;
    private io.alertrelay.testing.redis.RedisCluster cluster;
    private StreamSource source;
    private final Recorder recorder = new Recorder();

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (topology != null) {
            topology.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private StreamSource standalone(StreamSubscription subscription) {
        redis = RedisServerProcess.startStandalone();
        RedisSourceConfig config = RedisSourceConfig.from(TreeConfigView.root(Map.of("redis",
                Map.of("url", "redis://127.0.0.1:" + redis.port()))).section("redis"));
        return new StreamSource(config, List.of(subscription), "relay-test", Clock.systemUTC());
    }

    private static StreamSubscription subscription(String start, Duration claimIdle, int maxDeliveries) {
        return new StreamSubscription(STREAM, "alert-relay", "event", start, claimIdle, 100, Duration.ofMillis(200),
                maxDeliveries);
    }

    private static long pending(RedisServerProcess node) {
        List<?> summary = (List<?>) node.call("XPENDING", STREAM, "alert-relay");
        return ((Number) summary.get(0)).longValue();
    }

    @Test
    void entriesAndPoisonAreAcknowledgedOnceHandledAndAMissingFieldIsRejected() {
        source = standalone(subscription("0", Duration.ofSeconds(60), 10));
        StreamSource running = source;
        redis.command("XADD", STREAM, "*", "event", "{\"title\":\"first\"}");
        redis.command("XADD", STREAM, "*", "payload", "{\"title\":\"wrong field\"}", "source", "svc");
        running.start(recorder);
        Await.until("both read", WAIT, () -> recorder.payloads.size() == 1 && recorder.unreadable.size() == 1);
        redis.command("XADD", STREAM, "*", "event", "not json");
        Await.until("the new entry read", WAIT, () -> recorder.payloads.size() == 2);
        assertThat(recorder.payloads).containsExactly("{\"title\":\"first\"}", "not json");
        assertThat(recorder.unreadable).singleElement().asString()
                .startsWith(Rejection.MISSING_FIELD + ": stream entry ").endsWith("has no field 'event' (fields: payload, source)")
                .doesNotContain("wrong field");
        Await.until("all acknowledged", WAIT, () -> pending(redis) == 0);
        Await.until("status", WAIT, () -> running.status().get(0).acknowledged() == 3);
        StreamSource.StreamStatus status = running.status().get(0);
        assertThat(status.state()).isEqualTo("READING");
        assertThat(status.read()).isEqualTo(3);
        assertThat(status.consumer()).isEqualTo("relay-test");
    }

    @Test
    void aDeadConsumersEntriesAreTakenOverAfterClaimIdleAndAnOverDeliveredOneIsGivenUp() {
        source = standalone(subscription("0", Duration.ofSeconds(1), 10));
        redis.command("XGROUP", "CREATE", STREAM, "alert-relay", "0", "MKSTREAM");
        redis.command("XADD", STREAM, "1-1", "event", "{\"title\":\"orphan\"}");
        redis.command("XADD", STREAM, "1-2", "event", "{\"title\":\"poison that kills relays\"}");
        redis.call("XREADGROUP", "GROUP", "alert-relay", "dead-relay", "STREAMS", STREAM, ">");
        redis.call("XCLAIM", STREAM, "alert-relay", "dead-relay", "0", "1-2", "RETRYCOUNT", "11");
        assertThat(pending(redis)).isEqualTo(2);

        source.start(recorder);
        Await.until("the orphan taken over and the over-delivered entry given up", WAIT,
                () -> recorder.payloads.contains("{\"title\":\"orphan\"}") && recorder.unreadable.size() == 1);
        assertThat(recorder.payloads).doesNotContain("{\"title\":\"poison that kills relays\"}");
        assertThat(recorder.unreadable.get(0)).startsWith(StreamSource.TOO_MANY_DELIVERIES
                + ": stream entry 1-2 was delivered 11 times (last to consumer dead-relay)");
        Await.until("both acknowledged", WAIT, () -> pending(redis) == 0);
        assertThat(source.status().get(0).claimed()).isEqualTo(1);
        assertThat(source.status().get(0).givenUp()).isEqualTo(1);
    }

    @Test
    void theReaderFollowsASentinelFailover() {
        topology = SentinelTopology.start();
        RedisSourceConfig config = RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", Map.of(
                "sentinel", Map.of("master", SentinelTopology.MASTER_NAME, "nodes", topology.sentinelAddresses()),
                "connect-timeout", "2s"))).section("redis"));
        source = new StreamSource(config, List.of(subscription("$", Duration.ofSeconds(60), 10)), "relay-test",
                Clock.systemUTC());
        source.start(recorder);
        Await.until("the group exists", WAIT, () -> "READING".equals(source.status().get(0).state()));
        topology.master().command("XADD", STREAM, "*", "event", "{\"title\":\"before\"}");
        Await.until("read before the failover", WAIT, () -> recorder.payloads.size() == 1);
        Await.until("acknowledged", WAIT, () -> pending(topology.master()) == 0);
        topology.master().command("WAIT", "1", "5000");   // the group and the ack are on the replica too

        RedisServerProcess oldMaster = topology.master();
        oldMaster.kill();
        topology.awaitFailover(WAIT);
        Await.until("a new master", WAIT, () -> !topology.master().address().equals(oldMaster.address()));
        topology.master().command("XADD", STREAM, "*", "event", "{\"title\":\"after\"}");
        Await.until("read on the promoted master", WAIT, () -> recorder.payloads.size() == 2);
        assertThat(recorder.payloads).containsExactly("{\"title\":\"before\"}", "{\"title\":\"after\"}");
        Await.until("acknowledged on the promoted master", WAIT, () -> pending(topology.master()) == 0);
    }

    @Test
    void onAClusterTheStreamIsReadOnTheMasterOfItsSlot() {
        cluster = io.alertrelay.testing.redis.RedisCluster.start(3, 0);
        RedisSourceConfig config = RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", Map.of(
                "cluster", Map.of("nodes", cluster.addresses().subList(0, 1))))).section("redis"));
        source = new StreamSource(config, List.of(subscription("0", Duration.ofSeconds(60), 10)), "relay-test",
                Clock.systemUTC());
        source.start(recorder);
        Await.until("the group exists", WAIT, () -> "READING".equals(source.status().get(0).state()));
        RedisServerProcess owner = cluster.nodes().stream().filter(node -> {
            try {
                node.call("XLEN", STREAM);
                return true;
            } catch (RuntimeException moved) {
                return false;
            }
        }).findFirst().orElseThrow();
        for (int i = 0; i < 20; i++) {
            owner.command("XADD", STREAM, "*", "event", "{\"title\":\"c-" + i + "\"}");
        }
        Await.until("all read", WAIT, () -> recorder.payloads.size() == 20);
        Await.until("all acknowledged", WAIT, () -> pending(owner) == 0);
        Await.until("lag known", WAIT, () -> source.status().get(0).lag() == 0);
    }

    @Test
    void anEntryNeverCompletedHereIsReadAgainAfterClaimIdle() {
        source = standalone(subscription("0", Duration.ofSeconds(1), 10));
        List<String> seen = new CopyOnWriteArrayList<>();
        MessageHandler shedsTheFirstDelivery = message -> {
            seen.add(message.payload());
            if (seen.size() > 1) {      // the first is "shed": never completed, as a full ingest queue does
                message.onHandled().handled();
            }
        };
        redis.command("XADD", STREAM, "*", "event", "{\"title\":\"shed once\"}");
        source.start(shedsTheFirstDelivery);
        Await.until("read again and acknowledged", WAIT, () -> seen.size() == 2 && pending(redis) == 0);
        assertThat(seen).containsExactly("{\"title\":\"shed once\"}", "{\"title\":\"shed once\"}");
        assertThat(source.status().get(0).inFlight()).isZero();
    }
}
