package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.redis.FreePorts;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real standalone redis-server: subscribe, lose the connection in several ways, and still receive. */
@RequiresRedisServer
class StandaloneResubscribeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CLIENT_NAME = "alert-relay-test";

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
    void receivesPatternAndChannelMessagesAndTheServerShowsTheNamedSubscriber() {
        redis = RedisServerProcess.startStandalone();
        Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
        startSource(clock);
        Await.verifiedOn(source, redis.address(), WAIT);

        assertThat(redis.command("PUBLISH", "alerts:disk", "disk full")).isEqualTo("1");
        assertThat(redis.command("PUBLISH", "ops", "ops message")).isEqualTo("1");

        InboundMessage viaPattern = handler.awaitPayload("disk full", WAIT);
        assertThat(viaPattern.channel()).isEqualTo("alerts:disk");
        assertThat(viaPattern.pattern()).contains("alerts:*");
        assertThat(viaPattern.node()).isEqualTo(redis.address());
        assertThat(viaPattern.receivedAt()).isEqualTo(clock.instant());
        InboundMessage viaChannel = handler.awaitPayload("ops message", WAIT);
        assertThat(viaChannel.channel()).isEqualTo("ops");
        assertThat(viaChannel.pattern()).isEmpty();

        assertThat(redis.command("PUBSUB", "NUMPAT")).isEqualTo("1");
        String clients = redis.command("CLIENT", "LIST", "TYPE", "pubsub");
        assertThat(clients.lines().filter(line -> line.contains("name=" + CLIENT_NAME + " ")))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(" sub=1 ").contains(" psub=1 "));

        SourceStatus status = source.status();
        assertThat(status.acknowledged()).containsExactlyInAnyOrderElementsOf(registry.snapshot());
        assertThat(status.resubscribeCount()).isZero();
        assertThat(transitions).extracting(SourceStatus::state).containsSubsequence(
                SubscriptionState.CONNECTED, SubscriptionState.SUBSCRIBED, SubscriptionState.VERIFIED);
        assertThat(source.describe()).contains("VERIFIED").contains(redis.address());
    }

    @Test
    void resubscribesFromTheRegistryAfterTheServerRestarts() {
        redis = RedisServerProcess.startStandalone();
        startSource(Clock.systemUTC());
        Await.verifiedOn(source, redis.address(), WAIT);

        redis.restart();   // SIGTERM, then a new process on the same port: it knows no subscriptions
        Await.until(() -> "a reconnect; status " + source.status(), WAIT,
                () -> source.status().resubscribeCount() >= 1);
        Await.verifiedOn(source, redis.address(), WAIT);

        assertThat(redis.command("PUBLISH", "alerts:after-restart", "after restart")).isEqualTo("1");
        assertThat(handler.awaitPayload("after restart", WAIT).pattern()).contains("alerts:*");
        assertThat(redis.command("PUBLISH", "ops", "ops after restart")).isEqualTo("1");
        handler.awaitPayload("ops after restart", WAIT);
        assertThat(transitions).extracting(SourceStatus::state).contains(SubscriptionState.RESOLVING);
    }

    @Test
    void resubscribesAfterTheServerKillsPubSubClients() {
        redis = RedisServerProcess.startStandalone();
        startSource(Clock.systemUTC());
        Await.verifiedOn(source, redis.address(), WAIT);

        assertThat(redis.command("CLIENT", "KILL", "TYPE", "pubsub")).isEqualTo("1");   // what Sentinel does
        Await.until(() -> "a reconnect; status " + source.status(), WAIT,
                () -> source.status().resubscribeCount() >= 1);
        Await.verifiedOn(source, redis.address(), WAIT);

        assertThat(redis.command("PUBLISH", "alerts:after-kill", "after kill")).isEqualTo("1");
        handler.awaitPayload("after kill", WAIT);
    }

    @Test
    void followsRegistryChangesOnTheLiveConnection() {
        redis = RedisServerProcess.startStandalone();
        startSource(Clock.systemUTC());
        Await.verifiedOn(source, redis.address(), WAIT);

        registry.add(Subscription.channel("new-channel"));
        Await.until(() -> "new-channel acknowledged; status " + source.status(), WAIT,
                () -> source.status().acknowledged().contains(Subscription.channel("new-channel")));
        Await.verifiedOn(source, redis.address(), WAIT);
        assertThat(redis.command("PUBSUB", "NUMSUB", "new-channel")).isEqualTo("new-channel\n1");
        assertThat(redis.command("PUBLISH", "new-channel", "on the new channel")).isEqualTo("1");
        handler.awaitPayload("on the new channel", WAIT);

        registry.remove(Subscription.pattern("alerts:*"));
        Await.until(() -> "pattern unsubscribed; status " + source.status(), WAIT,
                () -> "0".equals(redis.command("PUBSUB", "NUMPAT")));
        Await.verifiedOn(source, redis.address(), WAIT);
        assertThat(source.status().acknowledged())
                .containsExactlyInAnyOrder(Subscription.channel("ops"), Subscription.channel("new-channel"));
        assertThat(redis.command("CLIENT", "LIST", "TYPE", "pubsub")).contains(" sub=2 psub=0 ");
    }

    @Test
    void startsWhileTheServerIsDownAndSubscribesOnceItIsUp() {
        int port = FreePorts.pick();
        source = new RedisSource(config("redis://127.0.0.1:" + port), registry);
        source.addStateListener(transitions::add);
        source.start(handler);   // returns after the first (failed) attempt
        assertThat(source.status().state()).isEqualTo(SubscriptionState.RESOLVING);
        assertThat(source.status().reason()).contains("failed");

        redis = RedisServerProcess.builder().port(port).start();
        Await.verifiedOn(source, redis.address(), WAIT);
        assertThat(redis.command("PUBLISH", "alerts:late", "late")).isEqualTo("1");
        handler.awaitPayload("late", WAIT);
    }

    @Test
    void aFailingHandlerDoesNotStopDeliveryAndCloseIsIdempotent() {
        redis = RedisServerProcess.startStandalone();
        List<String> seen = new CopyOnWriteArrayList<>();
        source = new RedisSource(config("redis://" + redis.address()), registry);
        source.start(message -> {
            seen.add(message.payload());
            if (message.payload().equals("boom")) {
                throw new IllegalStateException("handler failure (expected by the test)");
            }
        });
        Await.verifiedOn(source, redis.address(), WAIT);

        redis.command("PUBLISH", "alerts:a", "boom");
        redis.command("PUBLISH", "alerts:a", "after boom");
        Await.until(() -> "both messages; seen " + seen, WAIT, () -> seen.contains("after boom"));

        source.close();
        source.close();
        assertThat(source.status().state()).isEqualTo(SubscriptionState.RESOLVING);
        assertThat(redis.command("PUBSUB", "NUMPAT")).isEqualTo("0");
        assertThat(redis.command("CLIENT", "LIST", "TYPE", "pubsub")).doesNotContain("name=" + CLIENT_NAME);
        int before = seen.size();
        redis.command("PUBLISH", "alerts:a", "after close");
        assertThat(seen).hasSize(before);
    }

    @Test
    void authenticatesFromTheUrlAndStaysSubscribedWhenAclForbidsClientInfo() {
        redis = RedisServerProcess.startStandalone();
        redis.command("ACL", "SETUSER", "relay", "on", ">relay-secret", "~*", "&*", "+@all", "-client|info");
        source = new RedisSource(config("redis://relay:relay-secret@" + redis.address()), registry);
        source.addStateListener(transitions::add);
        source.start(handler);

        Await.until(() -> "SUBSCRIBED; status " + source.status(), WAIT,
                () -> source.status().state() == SubscriptionState.SUBSCRIBED
                        && source.status().acknowledged().size() == 2);
        assertThat(redis.command("PUBLISH", "alerts:acl", "with acl")).isEqualTo("1");
        handler.awaitPayload("with acl", WAIT);
        assertThat(redis.command("CLIENT", "LIST", "TYPE", "pubsub")).contains("user=relay");
        assertThat(source.describe()).doesNotContain("relay-secret");
        assertThat(source.status().state()).isEqualTo(SubscriptionState.SUBSCRIBED);
        assertThat(transitions).extracting(SourceStatus::state).doesNotContain(SubscriptionState.VERIFIED);
    }

    private void startSource(Clock clock) {
        source = new RedisSource(config("redis://" + redis.address()), registry, clock);
        source.addStateListener(transitions::add);
        source.start(handler);
    }

    static RedisSourceConfig config(String url) {
        return RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", Map.of(
                "url", url,
                "client-name", CLIENT_NAME,
                "connect-timeout", "2s",
                "ping-interval", "500ms"))).section("redis"));
    }
}
