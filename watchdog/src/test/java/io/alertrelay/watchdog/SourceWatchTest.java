package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.watchdog.RedisView.Link;
import io.alertrelay.watchdog.RedisView.Node;
import io.alertrelay.watchdog.RedisView.Role;
import io.alertrelay.watchdog.canary.CanaryMonitor;
import io.alertrelay.watchdog.canary.CanaryPublisher;
import io.alertrelay.watchdog.testing.RecordingHealthAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The watchdog's decisions about the source (issue 7, items 2-4): where canaries are published, and blind windows only
 * where alerts could really have been missed. Every case on a manual clock, from {@link RedisView} values.
 */
final class SourceWatchTest {
    private static final String A = "10.0.0.5:6379";
    private static final String B = "10.0.0.6:6379";

    private final ManualClock clock = ManualClock.at("2026-11-23T12:03:00Z");
    private final RecordingHealthAlerts alerts = new RecordingHealthAlerts();
    private final BlindWindows windows = new BlindWindows(alerts, "relay-1", clock);
    private final List<String> publishedOn = new ArrayList<>();
    private final List<String> resubscribes = new ArrayList<>();
    private final CanaryMonitor monitor = new CanaryMonitor(new CanaryMonitor.Settings(Duration.ofSeconds(1),
            Duration.ofMillis(500), Duration.ofSeconds(30)), "relay-1",
            List.of(new CanaryTarget("alerts:__canary__", Subscription.pattern("alerts:*"))),
            (node, channel, payload) -> {
                publishedOn.add(node);
                return CompletableFuture.completedFuture(CanaryPublisher.Published.on(node));
            }, (node, reason) -> resubscribes.add(node), alerts, windows, clock);
    private final SourceWatch watch = new SourceWatch(List.of("alerts:*"), monitor, windows);

    @Test
    void aStandaloneRestartIsABlindWindowFromTheLastFailedAttemptUntilTheCanaryAfterTheResubscription() {
        update(standalone(node(A, Role.MASTER, Link.VERIFIED)));
        assertThat(watch.readiness().ready()).isTrue();

        Instant lost = at("12:03:10");
        update(standalone(node(A, Role.MASTER, Link.DOWN, lost, Optional.empty())));
        assertThat(windows.open()).isEmpty();   // the server is down: nothing can be published to it yet
        assertThat(watch.gaps()).containsKey(A);
        assertThat(watch.readiness().ready()).isFalse();

        // reconnect attempts fail until 12:03:12.400, then the relay reaches the restarted server
        clock.set(at("12:03:12.500"));
        update(standalone(node(A, Role.MASTER, Link.CONNECTED, at("12:03:12.500"), Optional.of(at("12:03:12.400")))));
        assertThat(windows.open()).singleElement().satisfies(open -> assertThat(open.start()).isEqualTo(at("12:03:12.400")));

        clock.set(at("12:03:12.520"));
        update(standalone(node(A, Role.MASTER, Link.VERIFIED, at("12:03:12.520"), Optional.of(at("12:03:12.400")))));
        monitor.tick();   // the restored subscription asks for a canary at once
        monitor.onCanaryReceived("relay-1", 1, A, clock.instant().plusMillis(2));
        assertThat(windows.recent()).singleElement().satisfies(window -> {
            assertThat(window.start()).isEqualTo(at("12:03:12.400"));
            assertThat(window.end()).isEqualTo(at("12:03:12.520"));
            assertThat(window.node()).isEqualTo(A);
        });
    }

    @Test
    void aDeadMasterWhoseReplicaListensIsCoveredAndNoWindowIsReported() {
        update(sentinel(A, node(A, Role.MASTER, Link.VERIFIED), replica(B, A, true, Link.VERIFIED)));
        update(sentinel(A, node(A, Role.MASTER, Link.DOWN), replica(B, A, true, Link.VERIFIED)));
        assertThat(watch.gaps()).isEmpty();
        // the replica's link drops too (the master is dead); it is promoted and named master
        update(sentinel(A, node(A, Role.MASTER, Link.DOWN), replica(B, A, false, Link.VERIFIED)));
        assertThat(watch.gaps()).containsKey(A);
        update(sentinel(B, node(A, Role.MASTER, Link.DOWN), node(B, Role.MASTER, Link.VERIFIED)));
        // the old master never came back: it took no writes; pending, never reported
        assertThat(windows.open()).isEmpty();
        assertThat(watch.readiness().ready()).isTrue();
        assertThat(alerts.raised()).isEmpty();
    }

    @Test
    void aReconnectOnTheMasterWhileItsReplicaListensIsNoWindow() {
        // CLIENT KILL TYPE pubsub on the master: its connection comes back at once, the replica delivered meanwhile
        update(sentinel(A, node(A, Role.MASTER, Link.VERIFIED), replica(B, A, true, Link.VERIFIED)));
        update(sentinel(A, node(A, Role.MASTER, Link.CONNECTED), replica(B, A, true, Link.VERIFIED)));
        update(sentinel(A, node(A, Role.MASTER, Link.VERIFIED), replica(B, A, true, Link.VERIFIED)));
        assertThat(windows.open()).isEmpty();
        assertThat(windows.recent()).isEmpty();
    }

    @Test
    void aFrozenMastersOpenConnectionStillCoversIt() {
        update(sentinel(A, node(A, Role.MASTER, Link.ACKNOWLEDGED), replica(B, A, false, Link.VERIFIED)));
        assertThat(watch.gaps()).isEmpty();
        assertThat(watch.readiness().ready()).isFalse();   // the master's subscription cannot be proven now
        assertThat(watch.readiness().reasons()).singleElement().asString().contains("ACKNOWLEDGED");
    }

    @Test
    void anOldMasterThatStillTakesWritesIsProbedAndMustBeCovered() {
        // after SENTINEL FAILOVER Sentinel names B, while A still answers ROLE master for a while
        update(sentinel(B, node(A, Role.MASTER, Link.VERIFIED), node(B, Role.MASTER, Link.VERIFIED)));
        assertThat(SourceWatch.writers(lastView)).containsExactlyInAnyOrder(A, B);
        monitor.tick();
        assertThat(publishedOn).containsExactlyInAnyOrder(A, B);
        // its subscription is reconnecting while it is reachable: a real window
        update(sentinel(B, node(A, Role.MASTER, Link.CONNECTED), node(B, Role.MASTER, Link.VERIFIED)));
        assertThat(windows.open()).singleElement().satisfies(open -> assertThat(open.reason()).contains(A));
        // once ROLE says replica of B it takes no writes of its own
        update(sentinel(B, replica(A, B, true, Link.VERIFIED), node(B, Role.MASTER, Link.VERIFIED)));
        assertThat(SourceWatch.writers(lastView)).containsExactly(B);
        assertThat(watch.gaps()).isEmpty();
    }

    @Test
    void masterModeFollowsTheOneConnectionWhereverItGoes() {
        update(new RedisView(Optional.of(A), false, List.of(node(A, Role.MASTER, Link.VERIFIED))));
        update(new RedisView(Optional.empty(), false, List.of(node("unknown", Role.UNKNOWN, Link.DOWN))));
        update(new RedisView(Optional.of(B), false, List.of(node(B, Role.MASTER, Link.CONNECTED))));
        assertThat(windows.open()).hasSize(1);
        update(new RedisView(Optional.of(B), false, List.of(node(B, Role.MASTER, Link.VERIFIED))));
        assertThat(watch.gaps()).isEmpty();
        assertThat(windows.open()).singleElement().satisfies(open -> assertThat(open.awaitingAcknowledgement()).isFalse());
    }

    @Test
    void aDemotedOldMasterThatReconnectsIsNoWriterUntilRoleOnTheNewConnectionSaysMaster() {
        // +switch-master was missed: Sentinel (as the source last heard) names B; A was master and is demoted, which
        // closes the relay's connection to it; it reconnects before the reconcile asks ROLE again
        update(sentinel(B, node(A, Role.MASTER, Link.VERIFIED), node(B, Role.MASTER, Link.VERIFIED)));
        Node stale = new Node(A, Role.MASTER, Optional.empty(), false, Link.CONNECTED, clock.instant(), "reconnected",
                Optional.empty(), false);
        update(sentinel(B, stale, node(B, Role.MASTER, Link.VERIFIED)));
        assertThat(SourceWatch.writers(lastView)).containsExactly(B);
        assertThat(windows.open()).isEmpty();
        // ROLE on the new connection says master after all: it takes writes, and it is not covered
        update(sentinel(B, node(A, Role.MASTER, Link.CONNECTED), node(B, Role.MASTER, Link.VERIFIED)));
        assertThat(windows.open()).hasSize(1);
    }

    @Test
    void startingUpIsNoBlindWindow() {
        update(sentinel(A, node(A, Role.MASTER, Link.DOWN), replica(B, A, true, Link.DOWN)));
        update(sentinel(A, node(A, Role.MASTER, Link.CONNECTED), replica(B, A, true, Link.CONNECTED)));
        update(sentinel(A, node(A, Role.MASTER, Link.VERIFIED), replica(B, A, true, Link.VERIFIED)));
        assertThat(windows.open()).isEmpty();
        assertThat(watch.gaps()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private RedisView lastView;

    private void update(RedisView view) {
        lastView = view;
        watch.update(view, clock.instant());
    }

    private Node node(String name, Role role, Link link) {
        return node(name, role, link, clock.instant(), Optional.empty());
    }

    private Node node(String name, Role role, Link link, Instant since, Optional<Instant> lastFailure) {
        return new Node(name, role, Optional.empty(), false, link, since, "test: " + link + " on " + name, lastFailure,
                link != Link.DOWN);
    }

    private Node replica(String name, String of, boolean linkUp, Link link) {
        return new Node(name, Role.REPLICA, Optional.of(of), linkUp, link, clock.instant(), "test", Optional.empty(),
                link != Link.DOWN);
    }

    private static RedisView standalone(Node node) {
        return new RedisView(Optional.of(node.name()), false, List.of(node));
    }

    private static RedisView sentinel(String master, Node... nodes) {
        return new RedisView(Optional.of(master), true, List.of(nodes));
    }

    private static Instant at(String time) {
        return Instant.parse("2026-11-23T" + time + (time.length() == 8 ? ".000Z" : "Z"));
    }
}
