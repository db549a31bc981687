package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import io.alertrelay.testing.redis.RespClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, item 1: every resubscription is make-before-break. A publisher runs throughout on a real redis-server; the
 * watchdog's resubscribe builds a second connection, verifies it, and only then closes the old one (the reconcile's
 * CLIENT INFO mismatch and a role change take the same path: {@code SubscriptionTrackerTest} shows the mismatch asks
 * for it). Every acknowledged message is delivered exactly once and the node's
 * state never leaves VERIFIED.
 */
@RequiresRedisServer
class MakeBeforeBreakTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InMemorySubscriptionRegistry registry = new InMemorySubscriptionRegistry(
            List.of(Subscription.pattern("alerts:*"), Subscription.channel("ops")));
    private final RecordingHandler handler = new RecordingHandler();
    private final List<SourceStatus> transitions = new CopyOnWriteArrayList<>();
    private RedisServerProcess redis;
    private RedisSource source;

    @AfterEach
    void tearDown() {
        try {
            if (source != null) {
                source.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void watchdogResubscribesLoseNothingDuplicateNothingAndNeverLeaveVerified() throws Exception {
        redis = RedisServerProcess.startStandalone();
        startSource();
        Await.verifiedOn(source, redis.address(), WAIT);
        transitions.clear();

        try (Publishing publishing = new Publishing(redis)) {
            waitFor(publishing, 200);
            for (int i = 1; i <= 3; i++) {
                long before = source.replacements();
                source.resubscribe(redis.address(), "test: resubscribe #" + i);
                Await.until(() -> "replacement #" + (before + 1) + " done; status " + source.status(), WAIT,
                        () -> source.replacements() > before && source.status().resubscribeCount() == before + 1
                                && oneSubscriberConnection());
                waitFor(publishing, publishing.acknowledged() + 100);
            }
            publishing.stop();
            assertDeliveredExactlyOnce(publishing.acknowledged());
        }
        assertThat(source.replacements()).isEqualTo(3);
        assertThat(transitions).extracting(SourceStatus::state).containsOnly(SubscriptionState.VERIFIED);
        assertThat(source.status().state()).isEqualTo(SubscriptionState.VERIFIED);
    }

    @Test
    void aReplacementOfAReplacementStillInItsTailDeliversEachMessageOnce() throws Exception {
        // the watchdog and a role change can ask for a resubscription of the same node one after the other: the
        // second handover starts while the connection the first one replaced may still deliver what it had read
        redis = RedisServerProcess.startStandalone();
        startSource();
        Await.verifiedOn(source, redis.address(), WAIT);
        transitions.clear();

        try (Publishing publishing = new Publishing(redis)) {
            waitFor(publishing, 200);
            for (int round = 1; round <= 5; round++) {
                int i = round;
                long before = source.status().resubscribeCount();
                source.resubscribe(redis.address(), "test: chained resubscribe #" + i);
                // promoted, but the replaced connection is not necessarily closed yet (no wait for one connection)
                Await.until(() -> "replacement #" + i + " promoted; status " + source.status(), WAIT,
                        () -> source.status().resubscribeCount() == before + 1);
            }
            waitFor(publishing, publishing.acknowledged() + 200);
            publishing.stop();
            assertDeliveredExactlyOnce(publishing.acknowledged());
        }
        assertThat(source.replacements()).isEqualTo(5);
        assertThat(transitions).extracting(SourceStatus::state).containsOnly(SubscriptionState.VERIFIED);
    }

    @Test
    void aReplacementThatCannotBeVerifiedIsGivenUpAndTheOldConnectionKept() throws Exception {
        redis = RedisServerProcess.startStandalone();
        startSource();
        Await.verifiedOn(source, redis.address(), WAIT);
        transitions.clear();
        // new connections are refused from now on (maxclients reached): the replacement can never subscribe
        int connected = Integer.parseInt(redis.command("INFO", "clients").lines()
                .filter(line -> line.startsWith("connected_clients:")).findFirst().orElseThrow().split(":")[1].trim());
        redis.command("CONFIG", "SET", "maxclients", String.valueOf(connected));
        long before = source.replacements();
        source.resubscribe(redis.address(), "test: no room for a second connection");
        Thread.sleep(RedisSource.REPLACEMENT_TIMEOUT.toMillis() + 1_000);
        redis.command("CONFIG", "SET", "maxclients", "10000");

        assertThat(source.replacements()).isEqualTo(before + 1);
        assertThat(transitions).extracting(SourceStatus::state).containsOnly(SubscriptionState.VERIFIED);
        assertThat(redis.command("PUBLISH", "alerts:still", "still subscribed")).isEqualTo("1");
        handler.awaitPayload("still subscribed", WAIT);
    }

    private boolean oneSubscriberConnection() {
        return redis.command("CLIENT", "LIST", "TYPE", "pubsub").lines()
                .filter(line -> line.contains("name=" + CLIENT_NAME + " ")).count() == 1;
    }

    private void assertDeliveredExactlyOnce(long acknowledged) {
        Await.until(() -> "every acknowledged message delivered: " + counts().size() + " of " + acknowledged, WAIT,
                () -> counts().size() >= acknowledged);
        Map<String, Long> counts = counts();
        for (long seq = 1; seq <= acknowledged; seq++) {
            assertThat(counts.get("m-" + seq)).as("deliveries of m-" + seq).isEqualTo(1L);
        }
    }

    private Map<String, Long> counts() {
        return handler.messages().stream().map(InboundMessage::payload).filter(p -> p.startsWith("m-"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static void waitFor(Publishing publishing, long acknowledged) {
        Await.until(() -> acknowledged + " published", WAIT, () -> publishing.acknowledged() >= acknowledged);
    }

    private static final String CLIENT_NAME = "alert-relay-mbb";

    private void startSource() {
        source = new RedisSource(RedisSourceConfig.from(io.alertrelay.config.TreeConfigView.root(Map.of("redis", Map.of(
                "url", "redis://" + redis.address(),
                "client-name", CLIENT_NAME,
                "connect-timeout", "2s",
                "ping-interval", "500ms"))).section("redis")), registry, Clock.systemUTC());
        source.addStateListener(transitions::add);
        source.start(handler);
    }

    /** Publishes m-1, m-2, ... on alerts:mbb as fast as one connection allows (about 1 ms apart), counting acks. */
    private static final class Publishing implements AutoCloseable {
        private final AtomicLong acknowledged = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Publishing(RedisServerProcess redis) {
            thread = new Thread(() -> {
                try (RespClient client = RespClient.connect(redis.host(), redis.port(), Duration.ofSeconds(2))) {
                    long seq = 0;
                    while (running.get()) {
                        client.call("PUBLISH", "alerts:mbb", "m-" + (++seq));
                        acknowledged.set(seq);
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "mbb-publisher");
            thread.start();
        }

        long acknowledged() {
            return acknowledged.get();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
