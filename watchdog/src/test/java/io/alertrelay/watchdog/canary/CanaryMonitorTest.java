package io.alertrelay.watchdog.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.core.EventDecoder;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.spi.Subscription;
import io.alertrelay.watchdog.BlindWindows;
import io.alertrelay.watchdog.CanaryTarget;
import io.alertrelay.watchdog.Readiness;
import io.alertrelay.watchdog.testing.LogCapture;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.watchdog.testing.RecordingHealthAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

final class CanaryMonitorTest {
    private static final String RELAY = "relay-1";
    private static final String NODE_A = "10.0.0.5:6379";
    private static final String NODE_B = "10.0.0.6:6379";
    private static final CanaryTarget ALERTS = new CanaryTarget("alerts:__canary__", Subscription.pattern("alerts:*"));
    private static final CanaryTarget OPS = new CanaryTarget("ops:__canary__", Subscription.pattern("ops:*"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualClock clock = ManualClock.at("2026-11-23T12:03:00Z");
    private final Instant start = clock.instant();
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final List<String> resubscribes = new ArrayList<>();
    private final RecordingHealthAlerts alerts = new RecordingHealthAlerts();
    private final BlindWindows windows = new BlindWindows(alerts, RELAY, clock);

    private CanaryMonitor monitor(CanaryTarget... targets) {
        return new CanaryMonitor(new CanaryMonitor.Settings(Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofSeconds(30)), RELAY, List.of(targets), publisher,
                (node, reason) -> resubscribes.add(node + ": " + reason), alerts, windows, clock);
    }

    @Test
    void publishesOneCanaryPerIntervalCarryingTheContractFields() throws Exception {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));

        monitor.tick();
        assertThat(publisher.published).hasSize(1);
        Sent first = publisher.published.get(0);
        assertThat(first.channel).isEqualTo("alerts:__canary__");
        JsonNode event = JSON.readTree(first.payload);
        assertThat(event.get("title").asText()).isEqualTo("alert-relay canary");
        assertThat(event.get("severity").asText()).isEqualTo("info");
        assertThat(event.get("source").asText()).isEqualTo("alert-relay-watchdog");
        assertThat(event.get("canary").get("relay").asText()).isEqualTo(RELAY);
        assertThat(event.get("canary").get("seq").asLong()).isEqualTo(1);
        assertThat(event.get("canary").get("sent").asText()).isEqualTo("2026-11-23T12:03:00Z");

        clock.advance(Duration.ofSeconds(9));
        monitor.tick();
        assertThat(publisher.published).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        monitor.tick();
        assertThat(publisher.published).hasSize(2);
        assertThat(JSON.readTree(publisher.published.get(1).payload).get("canary").get("seq").asLong()).isEqualTo(2);
        assertThat(monitor.published()).isEqualTo(2);
    }

    @Test
    void theCanaryIsAValidEventThatThePipelineHookRecognises() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();

        Instant arrived = start.plusMillis(12);
        EventDecoder.Result result = new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE).decode(new InboundMessage(
                "alerts:__canary__", Optional.of("alerts:*"), publisher.published.get(0).payload, NODE_A, arrived));
        assertThat(result).isInstanceOf(EventDecoder.Decoded.class);
        Alert canary = ((EventDecoder.Decoded) result).alert();
        assertThat(canary.severity()).isEqualTo(Severity.INFO);
        assertThat(CanaryPayload.decode(canary)).contains(new CanaryPayload.Stamp(RELAY, 1, start));

        assertThat(monitor.onCanary(canary, NODE_A)).isTrue();
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(monitor.nodes().get(0).lastRoundTripMillis()).contains(12L);

        Alert ordinary = ((EventDecoder.Decoded) new EventDecoder(1024).decode(new InboundMessage("alerts:db",
                Optional.of("alerts:*"), "{\"title\":\"Disk full\"}", NODE_A, arrived))).alert();
        assertThat(monitor.onCanary(ordinary, NODE_A)).isFalse();
    }

    @Test
    void aNodeIsPendingUntilItsFirstCanaryAndReadyOnlyWhileCanariesAreFresh() {
        CanaryMonitor monitor = monitor(ALERTS);
        assertThat(monitor.readiness().reasons()).containsExactly("no subscribed node known yet");
        monitor.expectedNodes(Set.of(NODE_A));
        assertThat(monitor.state(NODE_A)).contains(NodeState.PENDING);
        assertThat(monitor.readiness().reasons()).containsExactly("no canary received on " + NODE_A + " yet");

        monitor.tick();
        echo(monitor, NODE_A, 5);
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(monitor.readiness()).isEqualTo(Readiness.ok());

        clock.advance(Duration.ofSeconds(31)); // no tick, so no new canary: the last one is now too old
        assertThat(monitor.readiness().reasons())
                .containsExactly("last canary on " + NODE_A + " was received 31.00 s ago (limit 30s)");
    }

    @Test
    void oneMissMakesANodeSuspectAndResubscribesTwoMakeItFailedWithACriticalAlertAReceiptResolvesIt() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        echo(monitor, NODE_A, 10);

        clock.advance(Duration.ofSeconds(10));
        monitor.tick(); // round 2, nobody answers
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.SUSPECT);
        assertThat(resubscribes).containsExactly(
                NODE_A + ": canary #2 on alerts:__canary__ (published on " + NODE_A + ") not received within 3s on " + NODE_A);
        assertThat(alerts.raised()).isEmpty();

        clock.advance(Duration.ofSeconds(7));
        monitor.tick(); // round 3, nobody answers
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.FAILED);
        assertThat(resubscribes).hasSize(2);
        Alert critical = alerts.raised().stream().filter(a -> a.severity() == Severity.CRITICAL).findFirst().orElseThrow();
        assertThat(critical.status()).isEqualTo(Status.FIRING);
        assertThat(critical.id()).isEqualTo("relay-canary:relay-1:" + NODE_A);
        assertThat(critical.title()).isEqualTo("Alert Relay is not receiving its canaries on " + NODE_A);
        assertThat(critical.labels()).containsEntry("component", "canary").containsEntry("node", NODE_A)
                .containsEntry("relay", RELAY);
        assertThat(critical.summary().orElseThrow()).contains("canary #3 on alerts:__canary__ (published on " + NODE_A + ") not received within 3s");
        assertThat(critical.source()).contains("alert-relay-watchdog");

        clock.advance(Duration.ofSeconds(7));
        monitor.tick(); // round 4 comes back
        echo(monitor, NODE_A, 15);
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(alerts.resolved()).singleElement().satisfies(resolved -> {
            assertThat(resolved.id()).isEqualTo(critical.id());
            assertThat(resolved.status()).isEqualTo(Status.RESOLVED);
        });
        assertThat(monitor.nodes().get(0).consecutiveMisses()).isZero();
        assertThat(monitor.missedRounds()).isEqualTo(2);
    }

    @Test
    void aCanaryThatCannotBePublishedIsThatNodesPublishingProblemNeverASubscriptionMiss() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        publisher.failWith(new IllegalStateException("Unable to connect to 10.0.0.5:6379"));
        try (LogCapture logs = LogCapture.of(CanaryMonitor.class)) {
            for (int round = 0; round < 3; round++) {
                monitor.tick();
                clock.advance(Duration.ofSeconds(3));
                monitor.tick();
                clock.advance(Duration.ofSeconds(7));
            }
            assertThat(logs.lines(Level.WARN)).singleElement().asString()
                    .startsWith("canary: canaries cannot be published on " + NODE_A + " (#1 on alerts:__canary__: "
                            + "IllegalStateException: Unable to connect to 10.0.0.5:6379)");
        }
        assertThat(monitor.state(NODE_A)).contains(NodeState.PENDING);
        assertThat(resubscribes).isEmpty();
        assertThat(windows.open()).isEmpty();
        assertThat(alerts.raised()).isEmpty();
        assertThat(monitor.publishFailures()).isEqualTo(3);
        assertThat(monitor.publishFailingNodes()).isEqualTo(1);
        assertThat(monitor.publishing()).singleElement().satisfies(state -> {
            assertThat(state.node()).isEqualTo(NODE_A);
            assertThat(state.failing()).isTrue();
            assertThat(state.consecutiveFailures()).isEqualTo(3);
        });

        publisher.failWith(null);
        monitor.tick();
        echo(monitor, NODE_A, 4);
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(monitor.publishFailingNodes()).isZero();
    }

    @Test
    void aPublisherThatThrowsIsAPublishingProblemToo() {
        CanaryMonitor monitor = new CanaryMonitor(new CanaryMonitor.Settings(Duration.ofSeconds(10),
                Duration.ofSeconds(3), Duration.ofSeconds(30)), RELAY, List.of(ALERTS), (node, channel, payload) -> {
                    throw new IllegalArgumentException("no master");
                }, (node, reason) -> resubscribes.add(reason), alerts, windows, clock);
        monitor.expectedNodes(Set.of(NODE_A));
        assertThatCode(monitor::tick).doesNotThrowAnyException();
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(resubscribes).isEmpty();
        assertThat(monitor.publishing()).singleElement().satisfies(state ->
                assertThat(state.lastError()).contains("IllegalArgumentException: no master"));
    }

    @Test
    void aCanaryIsJudgedWhereItWentNotWhereTheMasterIsNamedAtJudgingTime() {
        // after SENTINEL FAILOVER: B is master, A (the old master) still takes writes; each canary is expected only on
        // the node that acknowledged it (and the replicas it named), so A's canary never counts against B
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A, NODE_B), NODE_B);
        monitor.publishOn(Set.of(NODE_A, NODE_B));
        monitor.tick();
        assertThat(publisher.published).extracting(p -> p.node).containsExactlyInAnyOrder(NODE_A, NODE_B);
        for (Sent published : publisher.published) {
            echoOne(monitor, published, published.node, 3);   // each comes back where it was published
        }
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(monitor.state(NODE_B)).contains(NodeState.OK);
        assertThat(resubscribes).isEmpty();
        assertThat(windows.open()).isEmpty();

        // a frozen A: its PUBLISH times out; B is not suspected for it, and B's own canary still proves B
        publisher.failOn(NODE_A, new IllegalStateException("Command timed out after 2 second(s)"));
        publisher.published.clear();
        clock.advance(Duration.ofSeconds(7));
        monitor.tick();
        echo(monitor, NODE_B, 2);
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_B)).contains(NodeState.OK);
        assertThat(resubscribes).isEmpty();
        assertThat(monitor.publishing()).filteredOn(CanaryMonitor.PublishStatus::failing)
                .extracting(CanaryMonitor.PublishStatus::node).containsExactly(NODE_A);
    }

    @Test
    void aReplicaThatLeftTheAcknowledgingNodeIsNotExpectedToDeliverItsCanary() {
        // A was frozen through a failover; when it resumes its INFO still lists B, which is master now
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A, NODE_B), NODE_B);
        monitor.publishOn(Set.of(NODE_A));
        publisher.replicas(NODE_A, NODE_B);
        monitor.replicasFollow(java.util.Map.of());   // B follows nobody: it says it is master
        monitor.tick();
        echo(monitor, NODE_A, 4);
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_B)).contains(NodeState.PENDING);
        assertThat(resubscribes).isEmpty();
    }

    @Test
    void aReplicaNamedByTheAcknowledgingNodeMustDeliverItsCanaryToo() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A, NODE_B), NODE_A);
        publisher.replicas(NODE_A, NODE_B);
        monitor.tick();
        echo(monitor, NODE_A, 4);   // B's subscription delivers nothing
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(monitor.state(NODE_B)).contains(NodeState.SUSPECT);
        assertThat(resubscribes).singleElement().asString().startsWith(NODE_B + ": canary #1 on alerts:__canary__ "
                + "(published on " + NODE_A + ") not received within 3s on " + NODE_B);
    }

    @Test
    void eachTransitionIsLoggedOnceWithItsReason() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        try (LogCapture logs = LogCapture.of(CanaryMonitor.class)) {
            for (int round = 0; round < 5; round++) {
                monitor.tick();
                clock.advance(Duration.ofSeconds(3));
                monitor.tick();
                clock.advance(Duration.ofSeconds(7));
            }
            monitor.tick();
            echo(monitor, NODE_A, 20);

            assertThat(logs.lines(Level.WARN)).containsExactly("canary: " + NODE_A + " PENDING -> SUSPECT: canary #1 on "
                    + "alerts:__canary__ (published on " + NODE_A + ") not received within 3s on " + NODE_A + "; asking the source to resubscribe");
            assertThat(logs.lines(Level.ERROR)).singleElement().asString()
                    .startsWith("canary: " + NODE_A + " SUSPECT -> FAILED: canary #2 on alerts:__canary__");
            assertThat(logs.lines(Level.INFO)).filteredOn(line -> line.contains("-> OK"))
                    .containsExactly("canary: " + NODE_A + " FAILED -> OK: canary round 6 came back after 20 ms");
            assertThat(logs.lines(Level.DEBUG)).filteredOn(line -> line.contains("still FAILED")).hasSize(3);
        }
        assertThat(resubscribes).hasSize(5);
        assertThat(alerts.raised()).filteredOn(a -> a.severity() == Severity.CRITICAL).hasSize(1);
    }

    @Test
    void canariesOfOtherRelaysAreIgnored() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        monitor.onCanaryReceived("relay-2", 1, NODE_A, start.plusMillis(3));
        assertThat(monitor.state(NODE_A)).contains(NodeState.PENDING);
        assertThat(monitor.status().foreignReceived()).isEqualTo(1);
    }

    @Test
    void eachExpectedNodeIsJudgedOnItsOwnAndAMissSomewhereIsNoBlindWindow() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A, NODE_B), NODE_A);
        publisher.replicas(NODE_A, NODE_B);
        monitor.tick();
        echo(monitor, NODE_A, 4);
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(monitor.state(NODE_B)).contains(NodeState.SUSPECT);
        assertThat(resubscribes).singleElement().asString().startsWith(NODE_B + ": ");
        assertThat(windows.open()).isEmpty();
        assertThat(monitor.readiness().ready()).isTrue(); // the master's canaries come back
        assertThat(monitor.nodesIn(NodeState.SUSPECT)).isEqualTo(1);
    }

    @Test
    void withoutANamedMasterReadinessNeedsEveryNode() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A, NODE_B));
        monitor.tick();
        echo(monitor, NODE_A, 4);
        assertThat(monitor.readiness().reasons()).containsExactly("no canary received on " + NODE_B + " yet");
    }

    @Test
    void aCanaryThatComesBackNowhereOpensABlindWindowThatTheNextReturningCanaryCloses() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick(); // 12:03:00, lost
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(windows.open()).singleElement().satisfies(open -> {
            assertThat(open.subscription()).isEqualTo("alerts:*");
            assertThat(open.start()).isEqualTo(start);
        });

        clock.advance(Duration.ofSeconds(7));
        monitor.tick(); // 12:03:10, comes back
        echo(monitor, NODE_A, 8);
        assertThat(windows.open()).isEmpty();
        assertThat(windows.recent()).singleElement().satisfies(window -> assertThat(window.message()).isEqualTo(
                "Alerts published on alerts:* between 12:03:00.000 and 12:03:10.000 UTC (10.00 s) may not have been delivered."));
        assertThat(alerts.raised()).singleElement().satisfies(alert -> {
            assertThat(alert.severity()).isEqualTo(Severity.WARNING);
            assertThat(alert.summary().orElseThrow()).startsWith(windows.recent().get(0).message());
        });
    }

    @Test
    void aRestoredSubscriptionGetsACanaryAtOnceAndItsWindowEndsWhenThatCanaryWasSent() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        echo(monitor, NODE_A, 3);

        clock.set(Instant.parse("2026-11-23T12:03:10.412Z"));
        monitor.subscriptionLost(NODE_A, "alerts:*", clock.instant(), "connection reset");
        monitor.expectedNodes(Set.of(NODE_B)); // the source moved to the new master
        clock.set(Instant.parse("2026-11-23T12:03:11.800Z"));
        monitor.subscriptionRestored(NODE_B, "alerts:*", clock.instant());
        clock.set(Instant.parse("2026-11-23T12:03:11.873Z"));
        monitor.tick(); // publishes now, not at 12:03:20
        assertThat(publisher.published).hasSize(2);
        echo(monitor, NODE_B, 2);

        assertThat(windows.recent()).singleElement().satisfies(window -> assertThat(window.message()).isEqualTo(
                "Alerts published on alerts:* between 12:03:10.412 and 12:03:11.873 UTC (1.46 s) may not have been delivered."));
        assertThat(monitor.state(NODE_B)).contains(NodeState.OK);
    }

    @Test
    void aLateCanaryStillProvesDeliveryAndLeavesNoBlindWindow() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.SUSPECT);
        clock.advance(Duration.ofSeconds(1));
        monitor.onCanaryReceived(RELAY, 1, NODE_A, clock.instant());
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
        assertThat(windows.open()).isEmpty();
        assertThat(windows.recent()).isEmpty();
    }

    @Test
    void anOldRoundComingBackDoesNotClearANewerMiss() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick(); // #1
        clock.advance(Duration.ofSeconds(10));
        monitor.tick(); // #1 missed, #2 published
        clock.advance(Duration.ofSeconds(3));
        monitor.tick(); // #2 missed
        assertThat(monitor.state(NODE_A)).contains(NodeState.FAILED);
        monitor.onCanaryReceived(RELAY, 1, NODE_A, clock.instant());
        assertThat(monitor.state(NODE_A)).contains(NodeState.FAILED);
        monitor.onCanaryReceived(RELAY, 2, NODE_A, clock.instant());
        assertThat(monitor.state(NODE_A)).contains(NodeState.OK);
    }

    @Test
    void theAlertOfANodeNoLongerSubscribedIsResolvedOnceTheNewNodeDelivers() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        for (int round = 0; round < 2; round++) {
            monitor.tick();
            clock.advance(Duration.ofSeconds(3));
            monitor.tick();
            clock.advance(Duration.ofSeconds(7));
        }
        assertThat(monitor.state(NODE_A)).contains(NodeState.FAILED);
        monitor.expectedNodes(Set.of(NODE_B));
        assertThat(alerts.resolved()).isEmpty();
        monitor.tick();
        echo(monitor, NODE_B, 6);
        assertThat(alerts.resolved()).singleElement().satisfies(resolved -> {
            assertThat(resolved.id()).isEqualTo("relay-canary:relay-1:" + NODE_A);
            assertThat(resolved.summary().orElseThrow()).contains("no longer subscribes on " + NODE_A);
        });
    }

    @Test
    void nothingIsPublishedBeforeTheAppNamesANode() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.tick();
        clock.advance(Duration.ofSeconds(20));
        monitor.tick();
        assertThat(publisher.published).isEmpty();
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        assertThat(publisher.published).hasSize(1);
    }

    @Test
    void everySubscriptionHasItsOwnCanaryAndAPartialResubscribeIsCaught() {
        CanaryMonitor monitor = monitor(ALERTS, OPS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        assertThat(publisher.published).extracting(p -> p.channel).containsExactly("alerts:__canary__", "ops:__canary__");
        monitor.onCanaryReceived(RELAY, 1, NODE_A, start.plusMillis(5)); // only alerts:* delivers
        assertThat(monitor.state(NODE_A)).contains(NodeState.PENDING);
        clock.advance(Duration.ofSeconds(3));
        monitor.tick();
        assertThat(monitor.state(NODE_A)).contains(NodeState.SUSPECT);
        assertThat(resubscribes).containsExactly(NODE_A + ": canary #2 on ops:__canary__ (published on " + NODE_A + ") not received within 3s on " + NODE_A);
        assertThat(windows.open()).extracting(BlindWindows.OpenBlindWindow::subscription).containsExactly("ops:*");
    }

    @Test
    void aCanaryDeliveredThroughTwoPatternsCountsOnce() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        monitor.onCanaryReceived(RELAY, 1, NODE_A, start.plusMillis(5));
        monitor.onCanaryReceived(RELAY, 1, NODE_A, start.plusMillis(5));
        assertThat(monitor.received()).isEqualTo(1);
    }

    @Test
    void portsThatThrowNeitherBreakTheTickNorTheStateMachine() {
        RecordingHealthAlerts unused = new RecordingHealthAlerts();
        CanaryMonitor monitor = new CanaryMonitor(new CanaryMonitor.Settings(Duration.ofSeconds(10),
                Duration.ofSeconds(3), Duration.ofSeconds(30)), RELAY, List.of(ALERTS), publisher, (node, reason) -> {
                    throw new IllegalStateException("source is closed");
                }, unused, windows, clock);
        monitor.expectedNodes(Set.of(NODE_A));
        monitor.tick();
        clock.advance(Duration.ofSeconds(3));
        assertThatCode(monitor::tick).doesNotThrowAnyException();
        assertThat(monitor.state(NODE_A)).contains(NodeState.SUSPECT);
        assertThat(monitor.resubscribeRequests()).isEqualTo(1);
    }

    @Test
    void statusShowsEachNodeAndTheCounters() {
        CanaryMonitor monitor = monitor(ALERTS);
        monitor.expectedNodes(Set.of(NODE_A), NODE_A);
        monitor.tick();
        echo(monitor, NODE_A, 7);
        CanaryMonitor.MonitorStatus status = monitor.status();
        assertThat(status.relayInstance()).isEqualTo(RELAY);
        assertThat(status.targets()).containsExactly(ALERTS);
        assertThat(status.master()).contains(NODE_A);
        assertThat(status.published()).isEqualTo(1);
        assertThat(status.received()).isEqualTo(1);
        assertThat(status.nodes()).singleElement().satisfies(node -> {
            assertThat(node.state()).isEqualTo(NodeState.OK);
            assertThat(node.master()).isTrue();
            assertThat(node.lastReceived()).contains(start.plusMillis(7));
            assertThat(node.lastSeq()).contains(1L);
        });
        clock.advance(Duration.ofSeconds(2));
        assertThat(monitor.canaryAgeSeconds()).isEqualTo(1.993);
    }

    @Test
    void suggestsATickPeriodFromTheShorterOfIntervalAndTimeout() {
        assertThat(monitor(ALERTS).suggestedTickPeriod()).isEqualTo(Duration.ofMillis(300));
    }

    /**
     * The canaries of the latest round come back on {@code node}, {@code millis} after they were sent; older ones that
     * were never echoed stay lost.
     */
    private void echo(CanaryMonitor monitor, String node, long millis) {
        try {
            Instant latest = null;
            for (Sent published : publisher.published) {
                Instant sent = Instant.parse(JSON.readTree(published.payload).get("canary").get("sent").asText());
                latest = latest == null || sent.isAfter(latest) ? sent : latest;
            }
            for (Sent published : publisher.published) {
                JsonNode canary = JSON.readTree(published.payload).get("canary");
                Instant sent = Instant.parse(canary.get("sent").asText());
                if (sent.equals(latest) && !published.echoed.contains(node)) {
                    published.echoed.add(node);
                    monitor.onCanaryReceived(canary.get("relay").asText(), canary.get("seq").asLong(), node,
                            sent.plusMillis(millis));
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** One canary comes back on {@code node}, {@code millis} after it was sent. */
    private void echoOne(CanaryMonitor monitor, Sent published, String node, long millis) {
        try {
            JsonNode canary = JSON.readTree(published.payload).get("canary");
            Instant sent = Instant.parse(canary.get("sent").asText());
            published.echoed.add(node);
            monitor.onCanaryReceived(canary.get("relay").asText(), canary.get("seq").asLong(), node,
                    sent.plusMillis(millis));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final class Sent {
        final String node;
        final String channel;
        final String payload;
        final List<String> echoed = new ArrayList<>();

        Sent(String node, String channel, String payload) {
            this.node = node;
            this.channel = channel;
            this.payload = payload;
        }
    }

    /** Acknowledges every PUBLISH on the node asked for, which names the replicas set with {@link #replicas}. */
    private static final class RecordingPublisher implements CanaryPublisher {
        final List<Sent> published = new ArrayList<>();
        private final java.util.Map<String, List<String>> replicas = new java.util.HashMap<>();
        private final java.util.Map<String, RuntimeException> failures = new java.util.HashMap<>();
        private RuntimeException failure;

        void failWith(RuntimeException failure) {
            this.failure = failure;
        }

        void failOn(String node, RuntimeException failure) {
            failures.put(node, failure);
        }

        void replicas(String master, String... replicasOfIt) {
            replicas.put(master, List.of(replicasOfIt));
        }

        @Override
        public CompletionStage<CanaryPublisher.Published> publish(String node, String channel, String payload) {
            RuntimeException fail = failures.getOrDefault(node, failure);
            if (fail != null) {
                return CompletableFuture.failedFuture(fail);
            }
            published.add(new Sent(node, channel, payload));
            return CompletableFuture.completedFuture(
                    new CanaryPublisher.Published(node, replicas.getOrDefault(node, List.of())));
        }
    }
}
