package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.source.redis.SubscriptionTracker.Action;
import io.alertrelay.source.redis.SubscriptionTracker.Command;
import io.alertrelay.source.redis.SubscriptionTracker.Plan;
import io.alertrelay.source.redis.SubscriptionTracker.Transition;
import io.alertrelay.spi.Subscription;
import io.alertrelay.spi.Subscription.Kind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciliation state machine, driven by hand (no Redis, no clock but a fixed one). */
class SubscriptionTrackerTest {
    private static final Subscription ALERTS = Subscription.pattern("alerts:*");
    private static final Subscription OPS = Subscription.channel("ops");

    private final Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
    private final InMemorySubscriptionRegistry registry = new InMemorySubscriptionRegistry(List.of(ALERTS, OPS));
    private final SubscriptionTracker tracker = new SubscriptionTracker(clock, registry::snapshot);

    @Test
    void connectSubscribesTheRegistryAndAcknowledgementsLeadToVerification() {
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.RESOLVING);

        Plan connected = tracker.connected("10.0.0.1:6379", true);
        assertThat(connected.commands()).containsExactly(
                new Command(Action.SUBSCRIBE, Kind.PATTERN, "alerts:*"), new Command(Action.SUBSCRIBE, Kind.CHANNEL, "ops"));
        assertThat(states(connected)).containsExactly(SubscriptionState.CONNECTED);
        assertThat(connected.verify()).isFalse();

        assertThat(tracker.acknowledged(ALERTS, true, 1).transitions()).isEmpty();
        Plan complete = tracker.acknowledged(OPS, true, 2);
        assertThat(states(complete)).containsExactly(SubscriptionState.SUBSCRIBED);
        assertThat(complete.verify()).isTrue();

        Plan verified = tracker.verified(complete.epoch(), complete.verifyToken(), 1, 1);
        assertThat(states(verified)).containsExactly(SubscriptionState.VERIFIED);
        SourceStatus status = tracker.status();
        assertThat(status.node()).contains("10.0.0.1:6379");
        assertThat(status.since()).isEqualTo(clock.instant());
        assertThat(status.acknowledged()).containsExactlyInAnyOrder(ALERTS, OPS);
        assertThat(status.resubscribeCount()).isZero();
    }

    @Test
    void aNewConnectionStartsOverAndCountsAResubscribe() {
        verify(tracker.connected("a:1", true));
        Plan lost = tracker.disconnected("lost the connection to a:1");
        assertThat(states(lost)).containsExactly(SubscriptionState.RESOLVING);
        assertThat(tracker.status().acknowledged()).isEmpty();
        assertThat(tracker.status().node()).isEmpty();

        // a late CLIENT INFO or acknowledgement from the old connection changes nothing
        assertThat(tracker.acknowledged(ALERTS, true, 1).transitions()).isEmpty();
        assertThat(tracker.status().acknowledged()).isEmpty();

        Plan again = tracker.connected("b:2", true);
        assertThat(again.commands()).hasSize(2);
        assertThat(tracker.status().resubscribeCount()).isEqualTo(1);
        verify(again);
        assertThat(tracker.status().node()).contains("b:2");
    }

    @Test
    void lettuceReplayOfARemovedEntryIsUnsubscribed() {
        verify(tracker.connected("a:1", true));
        tracker.disconnected("lost");
        registry.remove(OPS);
        assertThat(tracker.registryChanged().commands()).isEmpty();   // resolving: the next connect replays

        Plan connected = tracker.connected("a:1", true);
        assertThat(connected.commands()).containsExactly(new Command(Action.SUBSCRIBE, Kind.PATTERN, "alerts:*"));
        // Lettuce re-subscribes what it knew, including ops
        assertThat(tracker.acknowledged(OPS, true, 1).commands())
                .containsExactly(new Command(Action.UNSUBSCRIBE, Kind.CHANNEL, "ops"));
        assertThat(tracker.acknowledged(ALERTS, true, 2).transitions()).isEmpty();
        Plan done = tracker.acknowledged(OPS, false, 1);
        assertThat(states(done)).containsExactly(SubscriptionState.SUBSCRIBED);
    }

    @Test
    void registryChangesAreFollowedOnTheLiveConnection() {
        verify(tracker.connected("a:1", true));

        registry.add(Subscription.channel("new"));
        Plan added = tracker.registryChanged();
        assertThat(added.commands()).containsExactly(new Command(Action.SUBSCRIBE, Kind.CHANNEL, "new"));
        // only an addition (a reload): the subscriptions that stay keep delivering, the state stays VERIFIED
        assertThat(states(added)).isEmpty();
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.VERIFIED);
        Plan acked = tracker.acknowledged(Subscription.channel("new"), true, 3);
        assertThat(states(acked)).isEmpty();
        assertThat(acked.verify()).as("verified again once the addition is acknowledged").isTrue();
        Plan stillMatching = tracker.verified(acked.epoch(), acked.verifyToken(), 2, 1);
        assertThat(stillMatching.transitions()).isEmpty();
        assertThat(stillMatching.replaceReason()).isEmpty();
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.VERIFIED);

        registry.remove(ALERTS);
        Plan removed = tracker.registryChanged();
        assertThat(removed.commands()).containsExactly(new Command(Action.UNSUBSCRIBE, Kind.PATTERN, "alerts:*"));
        assertThat(states(tracker.acknowledged(ALERTS, false, 2))).containsExactly(SubscriptionState.SUBSCRIBED);
    }

    @Test
    void anUnsubscribeOvertakingASubscribeIsRepaired() {
        verify(tracker.connected("a:1", true));
        Plan repair = tracker.acknowledged(OPS, false, 1);
        assertThat(repair.commands()).containsExactly(new Command(Action.SUBSCRIBE, Kind.CHANNEL, "ops"));
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.CONNECTED);
        assertThat(states(tracker.acknowledged(OPS, true, 2))).containsExactly(SubscriptionState.SUBSCRIBED);
    }

    @Test
    void aMismatchingClientInfoResubscribesAndIsRetriedOnTheNextTick() {
        Plan connected = tracker.connected("a:1", true);
        tracker.acknowledged(ALERTS, true, 1);
        Plan complete = tracker.acknowledged(OPS, true, 2);

        Plan mismatch = tracker.verified(complete.epoch(), complete.verifyToken(), 0, 1);
        assertThat(mismatch.transitions()).isEmpty();
        assertThat(mismatch.warnings()).singleElement().asString().contains("sub=0 psub=1");
        assertThat(mismatch.commands()).hasSize(2);
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.SUBSCRIBED);

        Plan retry = tracker.tick();
        assertThat(retry.verify()).isTrue();
        assertThat(tracker.tick().verify()).isFalse();   // one in flight at a time
        assertThat(states(tracker.verified(retry.epoch(), retry.verifyToken(), 1, 1)))
                .containsExactly(SubscriptionState.VERIFIED);
        assertThat(connected.epoch()).isEqualTo(retry.epoch());
    }

    @Test
    void anOutdatedVerificationIsIgnored() {
        tracker.connected("a:1", true);
        tracker.acknowledged(ALERTS, true, 1);
        Plan first = tracker.acknowledged(OPS, true, 2);
        registry.add(Subscription.channel("new"));
        tracker.registryChanged();
        Plan second = tracker.acknowledged(Subscription.channel("new"), true, 3);

        assertThat(tracker.verified(first.epoch(), first.verifyToken(), 1, 1).warnings()).isEmpty();
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.SUBSCRIBED);
        assertThat(states(tracker.verified(second.epoch(), second.verifyToken(), 2, 1)))
                .containsExactly(SubscriptionState.VERIFIED);
    }

    @Test
    void withoutResp3ItStaysSubscribed() {
        tracker.connected("a:1", false);
        tracker.acknowledged(ALERTS, true, 1);
        Plan complete = tracker.acknowledged(OPS, true, 2);
        assertThat(states(complete)).containsExactly(SubscriptionState.SUBSCRIBED);
        assertThat(complete.verify()).isFalse();
        assertThat(tracker.tick().verify()).isFalse();
    }

    @Test
    void aRefusedClientInfoIsGivenUpOnThisConnection() {
        tracker.connected("a:1", true);
        tracker.acknowledged(ALERTS, true, 1);
        Plan complete = tracker.acknowledged(OPS, true, 2);
        Plan refused = tracker.verificationRejected(complete.epoch(), complete.verifyToken(), "NOPERM");
        assertThat(refused.warnings()).singleElement().asString().contains("NOPERM");
        assertThat(tracker.tick().verify()).isFalse();
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.SUBSCRIBED);

        tracker.disconnected("lost");
        tracker.connected("a:1", true);   // a new connection tries again
        tracker.acknowledged(ALERTS, true, 1);
        assertThat(tracker.acknowledged(OPS, true, 2).verify()).isTrue();
    }

    @Test
    void aFailedClientInfoIsRetriedOnTheNextTick() {
        tracker.connected("a:1", true);
        tracker.acknowledged(ALERTS, true, 1);
        Plan complete = tracker.acknowledged(OPS, true, 2);
        assertThat(tracker.verificationFailed(complete.epoch(), complete.verifyToken(), "timeout").warnings()).hasSize(1);
        assertThat(tracker.tick().verify()).isTrue();
    }

    @Test
    void anEmptyRegistryIsSubscribedAtOnce() {
        SubscriptionTracker empty = new SubscriptionTracker(clock, () -> java.util.Set.of());
        Plan connected = empty.connected("a:1", true);
        assertThat(connected.commands()).isEmpty();
        assertThat(states(connected)).containsExactly(SubscriptionState.CONNECTED, SubscriptionState.SUBSCRIBED);
        assertThat(states(empty.verified(connected.epoch(), connected.verifyToken(), 0, 0)))
                .containsExactly(SubscriptionState.VERIFIED);
    }

    @Test
    void afterCloseEverythingIsIgnored() {
        verify(tracker.connected("a:1", true));
        assertThat(states(tracker.close())).containsExactly(SubscriptionState.RESOLVING);
        assertThat(tracker.status().reason()).isEqualTo("source closed");
        assertThat(tracker.acknowledged(OPS, false, 1).commands()).isEmpty();
        registry.add(Subscription.channel("late"));
        assertThat(tracker.registryChanged().commands()).isEmpty();
        assertThat(tracker.connected("b:2", true).commands()).isEmpty();
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.RESOLVING);
        assertThat(tracker.close().transitions()).isEmpty();
    }

    @Test
    void failedAttemptsUpdateTheReasonWhileResolving() {
        tracker.note("connection attempt 1 failed: refused");
        assertThat(tracker.status().reason()).isEqualTo("connection attempt 1 failed: refused");
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.RESOLVING);
    }

    @Test
    void theReconcileRecheckOfAVerifiedConnectionAsksForAReplacementOnAMismatch() {
        verify(tracker.connected("a:1", true));
        Plan recheck = tracker.recheck();
        assertThat(recheck.verify()).isTrue();
        assertThat(tracker.recheck().verify()).isFalse();   // one in flight at a time

        // the server agrees: nothing happens
        Plan agreed = tracker.verified(recheck.epoch(), recheck.verifyToken(), 1, 1);
        assertThat(agreed.transitions()).isEmpty();
        assertThat(agreed.replaceReason()).isEmpty();
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.VERIFIED);

        // the server lost our pattern (sub=1 psub=0): the connection stays as it is (what it still has keeps
        // delivering) and the owner is asked to build a verified replacement before closing it (make-before-break)
        Plan again = tracker.recheck();
        Plan mismatch = tracker.verified(again.epoch(), again.verifyToken(), 1, 0);
        assertThat(mismatch.transitions()).isEmpty();
        assertThat(mismatch.commands()).isEmpty();
        assertThat(mismatch.replaceReason()).hasValueSatisfying(
                why -> assertThat(why).contains("reconcile").contains("psub=0"));
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.VERIFIED);
    }

    @Test
    void aForcedResubscribeWaitsForFreshAcknowledgementsAndIsCounted() {
        verify(tracker.connected("a:1", true));
        Plan forced = tracker.resubscribe("reconcile: ROLE changed");
        assertThat(states(forced)).containsExactly(SubscriptionState.CONNECTED);
        assertThat(tracker.status().reason()).isEqualTo("reconcile: ROLE changed");
        assertThat(tracker.status().acknowledged()).isEmpty();
        assertThat(forced.commands()).hasSize(2);
        verify(forced);
        assertThat(tracker.status().resubscribeCount()).isEqualTo(1);

        tracker.disconnected("lost");
        assertThat(tracker.resubscribe("while resolving").commands()).isEmpty();
    }

    @Test
    void aFixedNodeTrackerNamesItsNodeAndRoleAlsoWhileResolving() {
        SubscriptionTracker fixed = new SubscriptionTracker(clock, registry::snapshot, "10.0.0.2:6379");
        assertThat(fixed.status().node()).contains("10.0.0.2:6379");
        assertThat(fixed.status().role()).isEqualTo(NodeRole.UNKNOWN);
        assertThat(fixed.role(NodeRole.REPLICA)).isTrue();
        assertThat(fixed.role(NodeRole.REPLICA)).isFalse();
        fixed.connected("10.0.0.2:6379", true);
        Plan lost = fixed.disconnected("lost the connection");
        SourceStatus status = lost.transitions().get(0).status();
        assertThat(status.node()).contains("10.0.0.2:6379");
        assertThat(status.role()).isEqualTo(NodeRole.REPLICA);
    }

    private void verify(Plan connected) {
        assertThat(states(connected)).contains(SubscriptionState.CONNECTED);
        Plan last = null;
        long count = 0;
        for (Subscription subscription : registry.snapshot()) {
            last = tracker.acknowledged(subscription, true, ++count);
        }
        assertThat(last).isNotNull();
        assertThat(last.verify()).isTrue();
        long channels = registry.snapshot().stream().filter(s -> s.kind() == Kind.CHANNEL).count();
        tracker.verified(last.epoch(), last.verifyToken(), channels, registry.snapshot().size() - channels);
        assertThat(tracker.status().state()).isEqualTo(SubscriptionState.VERIFIED);
    }

    private static List<SubscriptionState> states(Plan plan) {
        return plan.transitions().stream().map(Transition::status).map(SourceStatus::state).toList();
    }
}
