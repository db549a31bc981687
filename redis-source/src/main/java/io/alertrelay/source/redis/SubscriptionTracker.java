package io.alertrelay.source.redis;

import io.alertrelay.spi.Subscription;
import io.alertrelay.spi.Subscription.Kind;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The subscriber connection's state machine and reconciliation, without any I/O: it is told what happened (connected,
 * acknowledgement, registry change, CLIENT INFO result, disconnected) and answers with a {@link Plan} of commands to
 * send and transitions to report. The caller sends the plan's commands while still holding the tracker's monitor, so
 * commands reach the connection in the order they were planned.
 *
 * <p>Every fact is scoped to a connection <em>epoch</em>, bumped on each connect and disconnect; late answers from an
 * older connection are ignored. Thread-safe.
 */
final class SubscriptionTracker {
    private final Clock clock;
    private final Supplier<Set<Subscription>> desired;
    private final String fixedNode;
    private NodeRole role = NodeRole.UNKNOWN;
    private String lastNode;

    private SubscriptionState state = SubscriptionState.RESOLVING;
    private String node;
    private Instant since;
    private String reason = "not started";
    private long epoch;
    private final Set<Subscription> acknowledged = new LinkedHashSet<>();
    private long lastCount;
    private long connections;
    private long resubscribes;
    private boolean canVerify;
    private boolean verifying;
    /**
     * The registry only gained subscriptions while this connection was live (a reload): the acknowledged ones keep
     * delivering, so the state stays; the new ones are subscribed and the connection verified again once they are
     * acknowledged.
     */
    private boolean additionsPending;
    private long verifyToken;
    private boolean closed;

    SubscriptionTracker(Clock clock, Supplier<Set<Subscription>> desired) {
        this(clock, desired, null);
    }

    /**
     * A tracker for a connection to one fixed node ({@code fixedNode}, {@code host:port}): its status always names that
     * node, also while {@link SubscriptionState#RESOLVING}. {@code null}: the node is only known while connected.
     */
    SubscriptionTracker(Clock clock, Supplier<Set<Subscription>> desired, String fixedNode) {
        this.clock = clock;
        this.desired = desired;
        this.fixedNode = fixedNode;
        this.node = fixedNode;
        this.since = clock.instant();
    }

    /** A new connection is up (handshake done) on {@code node}: subscribe the whole registry on it. */
    synchronized Plan connected(String node, boolean canVerify) {
        Plan plan = new Plan(++epoch);
        if (closed) {
            return plan;
        }
        if (fixedNode == null && lastNode != null && !lastNode.equals(node)) {
            role = NodeRole.UNKNOWN;   // another server (master mode after a failover): its role is not known yet
        }
        this.node = node;
        lastNode = node;
        acknowledged.clear();
        lastCount = 0;
        verifying = false;
        additionsPending = false;
        this.canVerify = canVerify;
        connections++;
        if (connections > 1) {
            resubscribes++;
        }
        Set<Subscription> want = desired.get();
        transition(plan, SubscriptionState.CONNECTED, (connections == 1 ? "connected to " : "reconnected to ") + node
                + "; subscribing " + describe(want), true);
        want.forEach(plan::subscribe);
        evaluate(plan, want);
        return plan;
    }

    /** The connection is gone (or could not be made); {@code why} says so. */
    synchronized Plan disconnected(String why) {
        Plan plan = new Plan(++epoch);
        node = fixedNode;
        acknowledged.clear();
        lastCount = 0;
        verifying = false;
        if (state == SubscriptionState.RESOLVING) {
            reason = why;
        } else {
            transition(plan, SubscriptionState.RESOLVING, why, false);
        }
        return plan;
    }

    /** A failed attempt while resolving: updates the reason without a transition. */
    synchronized void note(String why) {
        if (state == SubscriptionState.RESOLVING && !closed) {
            reason = why;
        }
    }

    /** The server acknowledged a (P)SUBSCRIBE ({@code subscribed}) or (P)UNSUBSCRIBE; {@code count} is its total. */
    synchronized Plan acknowledged(Subscription subscription, boolean subscribed, long count) {
        Plan plan = new Plan(epoch);
        if (state == SubscriptionState.RESOLVING || closed) {
            return plan;
        }
        lastCount = count;
        Set<Subscription> want = desired.get();
        if (subscribed) {
            acknowledged.add(subscription);
            if (!want.contains(subscription)) {
                plan.unsubscribe(subscription);   // replayed by Lettuce, or removed meanwhile
            }
        } else {
            acknowledged.remove(subscription);
            if (want.contains(subscription)) {
                plan.subscribe(subscription);     // an unsubscribe overtook a later subscribe
            }
        }
        evaluate(plan, want);
        return plan;
    }

    /** The registry changed: follow it on the live connection (a resolving one replays the snapshot on connect). */
    synchronized Plan registryChanged() {
        Plan plan = new Plan(epoch);
        if (state == SubscriptionState.RESOLVING || closed) {
            return plan;
        }
        Set<Subscription> want = desired.get();
        for (Subscription subscription : want) {
            if (!acknowledged.contains(subscription)) {
                plan.subscribe(subscription);
            }
        }
        for (Subscription subscription : acknowledged) {
            if (!want.contains(subscription)) {
                plan.unsubscribe(subscription);
            }
        }
        boolean onlyAdditions = plan.commands().stream().allMatch(command -> command.action() == Action.SUBSCRIBE);
        if (!plan.commands().isEmpty() && onlyAdditions
                && (state == SubscriptionState.SUBSCRIBED || state == SubscriptionState.VERIFIED)) {
            // what is acknowledged still delivers: subscriptions that stay are never reported lost
            additionsPending = true;
            reason = "registry gained " + plan.commands().size() + " subscription(s); waiting for the server's "
                    + "acknowledgements (the others keep delivering)";
        } else if (!plan.commands().isEmpty() && state != SubscriptionState.CONNECTED) {
            additionsPending = false;
            transition(plan, SubscriptionState.CONNECTED, "registry changed to " + describe(want)
                    + "; waiting for the server's acknowledgements", false);
        }
        evaluate(plan, want);
        return plan;
    }

    /**
     * The result of the CLIENT INFO planned as {@code forEpoch}/{@code token}: {@code sub=} and {@code psub=} of our
     * connection. Only the latest verification on the current connection counts.
     */
    synchronized Plan verified(long forEpoch, long token, long channels, long patterns) {
        Plan plan = new Plan(epoch);
        if (forEpoch != epoch || token != verifyToken || closed) {
            return plan;
        }
        verifying = false;
        Set<Subscription> want = desired.get();
        long wantChannels = want.stream().filter(s -> s.kind() == Kind.CHANNEL).count();
        long wantPatterns = want.size() - wantChannels;
        boolean matches = channels == wantChannels && patterns == wantPatterns && acknowledged.equals(want);
        if (state == SubscriptionState.VERIFIED) {   // a periodic re-check (reconcile)
            if (!matches) {
                // make-before-break: the owner builds a second, verified connection before this one is closed, so
                // the subscriptions the server still has keep delivering meanwhile
                plan.replace("reconcile: CLIENT INFO on " + node + " shows sub=" + channels + " psub=" + patterns
                        + " but the registry wants sub=" + wantChannels + " psub=" + wantPatterns
                        + "; building a new connection with the whole registry");
            }
            return plan;
        }
        if (state != SubscriptionState.SUBSCRIBED) {
            return plan;
        }
        if (matches) {
            transition(plan, SubscriptionState.VERIFIED, "CLIENT INFO on " + node + " shows sub=" + channels
                    + " psub=" + patterns + ", as the registry wants", false);
        } else {
            plan.warn("CLIENT INFO on " + node + " shows sub=" + channels + " psub=" + patterns
                    + " but the registry wants sub=" + wantChannels + " psub=" + wantPatterns
                    + "; subscribing again and re-checking at the next ping");
            want.forEach(plan::subscribe);
        }
        return plan;
    }

    /** The CLIENT INFO planned as {@code forEpoch}/{@code token} failed; it is retried at the next tick. */
    synchronized Plan verificationFailed(long forEpoch, long token, String why) {
        Plan plan = new Plan(epoch);
        if (forEpoch == epoch && token == verifyToken && !closed) {
            verifying = false;
            plan.warn("CLIENT INFO on " + node + " failed (" + why + "); retrying at the next ping");
        }
        return plan;
    }

    /**
     * The server refused CLIENT INFO (an ACL without {@code client|info}, say): verification is given up on this
     * connection, which stays {@link SubscriptionState#SUBSCRIBED}.
     */
    synchronized Plan verificationRejected(long forEpoch, long token, String why) {
        Plan plan = new Plan(epoch);
        if (forEpoch == epoch && token == verifyToken && !closed) {
            verifying = false;
            canVerify = false;
            plan.warn("CLIENT INFO refused by " + node + " (" + why + "); this connection is confirmed by"
                    + " acknowledgements only and stays SUBSCRIBED");
        }
        return plan;
    }

    /** Periodic: re-runs a verification that is due (SUBSCRIBED, not VERIFIED, none in flight). */
    synchronized Plan tick() {
        Plan plan = new Plan(epoch);
        if (!closed && state == SubscriptionState.SUBSCRIBED && canVerify && !verifying) {
            requestVerification(plan);
        }
        return plan;
    }

    /**
     * Periodic re-check of a {@link SubscriptionState#VERIFIED} connection (the reconcile): asks for another CLIENT
     * INFO; a disagreement then forces a resubscribe (see {@link #verified}).
     */
    /**
     * The node stopped answering PING but the connection is kept (every-node mode): the subscription is no longer
     * proven, so VERIFIED falls back to SUBSCRIBED with {@code why}; the next tick after it answers again re-verifies.
     */
    synchronized Plan unresponsive(String why) {
        Plan plan = new Plan(epoch);
        if (!closed && (state == SubscriptionState.VERIFIED || state == SubscriptionState.SUBSCRIBED)) {
            verifying = false;
            transition(plan, SubscriptionState.SUBSCRIBED, why, false);
        }
        return plan;
    }

    synchronized Plan recheck() {
        Plan plan = new Plan(epoch);
        if (!closed && state == SubscriptionState.VERIFIED && canVerify && !verifying) {
            requestVerification(plan);
        }
        return plan;
    }

    /**
     * Forces the whole registry to be subscribed again on the live connection, waiting for fresh acknowledgements
     * (back to {@link SubscriptionState#CONNECTED}, counted as a resubscribe). No-op while resolving.
     */
    synchronized Plan resubscribe(String why) {
        Plan plan = new Plan(epoch);
        if (closed || state == SubscriptionState.RESOLVING) {
            return plan;
        }
        resubscribeAll(plan, why, desired.get());
        return plan;
    }

    /**
     * This connection replaces one that resubscribed {@code earlier} times (make-before-break): the node's count
     * goes on, plus this resubscription.
     */
    synchronized void continueCountFrom(long earlier) {
        resubscribes += earlier + 1;
    }

    /** Records the node's role as last seen; true when it changed. */
    synchronized boolean role(NodeRole newRole) {
        if (newRole == role) {
            return false;
        }
        role = newRole;
        return true;
    }

    synchronized NodeRole role() {
        return role;
    }

    synchronized SubscriptionState state() {
        return state;
    }

    /**
     * Whether this connection's subscription is as confirmed as it can get: {@link SubscriptionState#VERIFIED}, or
     * {@link SubscriptionState#SUBSCRIBED} on a connection the server cannot be asked on (RESP2, or CLIENT INFO
     * refused by an ACL).
     */
    synchronized boolean confirmed() {
        return !closed && (state == SubscriptionState.VERIFIED || (state == SubscriptionState.SUBSCRIBED && !canVerify));
    }

    /** The source is closing: resolving for good; later events are ignored. */
    synchronized Plan close() {
        return close("source closed");
    }

    /** Closing for good, with the reason (a node Sentinel no longer lists, say). */
    synchronized Plan close(String why) {
        Plan plan = new Plan(++epoch);
        if (!closed) {
            node = fixedNode;
            transition(plan, SubscriptionState.RESOLVING, why, state == SubscriptionState.RESOLVING);
            acknowledged.clear();
            closed = true;
        }
        return plan;
    }

    synchronized long epoch() {
        return epoch;
    }

    synchronized boolean isConnected() {
        return state != SubscriptionState.RESOLVING && !closed;
    }

    synchronized Optional<String> node() {
        return Optional.ofNullable(node);
    }

    synchronized SourceStatus status() {
        return new SourceStatus(state, Optional.ofNullable(node), since, reason, resubscribes, acknowledged, role);
    }

    private void resubscribeAll(Plan plan, String why, Set<Subscription> want) {
        acknowledged.clear();
        lastCount = 0;
        verifying = false;
        verifyToken++;   // an answer to an earlier CLIENT INFO no longer counts
        resubscribes++;
        transition(plan, SubscriptionState.CONNECTED, why, false);
        want.forEach(plan::subscribe);
        evaluate(plan, want);
    }

    private void evaluate(Plan plan, Set<Subscription> want) {
        boolean complete = acknowledged.equals(want) && lastCount == want.size();
        if (additionsPending && (state == SubscriptionState.SUBSCRIBED || state == SubscriptionState.VERIFIED)) {
            if (complete) {
                additionsPending = false;
                reason = "server acknowledged all " + want.size() + " subscriptions on " + node;
                if (canVerify) {
                    // checked again; an earlier check is outdated. VERIFIED: a mismatch rebuilds the connection
                    // (make-before-break); SUBSCRIBED: a match makes it VERIFIED
                    requestVerification(plan);
                }
                return;
            }
            if (want.containsAll(acknowledged)) {
                return;   // still waiting for the additions; nothing acknowledged was lost
            }
            additionsPending = false;
        }
        if (complete && state == SubscriptionState.CONNECTED) {
            transition(plan, SubscriptionState.SUBSCRIBED, want.isEmpty()
                    ? "nothing to subscribe on " + node
                    : "server acknowledged all " + want.size() + " subscriptions on " + node, false);
            if (canVerify) {
                requestVerification(plan);
            }
        } else if (!complete && (state == SubscriptionState.SUBSCRIBED || state == SubscriptionState.VERIFIED)) {
            transition(plan, SubscriptionState.CONNECTED, "acknowledged " + describe(acknowledged)
                    + " but the registry wants " + describe(want) + "; reconciling", false);
        }
    }

    private void requestVerification(Plan plan) {
        verifying = true;
        plan.verifyToken = ++verifyToken;
    }

    private void transition(Plan plan, SubscriptionState to, String why, boolean force) {
        if (state == to && !force) {
            reason = why;
            return;
        }
        SubscriptionState from = state;
        state = to;
        since = clock.instant();
        reason = why;
        plan.transitions.add(new Transition(from, status()));
    }

    private static String describe(Set<Subscription> subscriptions) {
        return subscriptions.isEmpty() ? "nothing" : subscriptions.toString();
    }

    /** One state change, with the status right after it. */
    record Transition(SubscriptionState from, SourceStatus status) {}

    /** One command the plan asks for. */
    record Command(Action action, Kind kind, String name) {}

    enum Action { SUBSCRIBE, UNSUBSCRIBE }

    /** What to send (in order) and what to report, for one event. */
    static final class Plan {
        private final long epoch;
        private final List<Command> commands = new ArrayList<>();
        private final List<Transition> transitions = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private long verifyToken;
        private String replaceReason;

        Plan(long epoch) {
            this.epoch = epoch;
        }

        long epoch() {
            return epoch;
        }

        List<Command> commands() {
            return commands;
        }

        List<Transition> transitions() {
            return transitions;
        }

        List<String> warnings() {
            return warnings;
        }

        /** Whether to send CLIENT INFO (after the commands) and report it with {@link #epoch()}, {@link #verifyToken()}. */
        boolean verify() {
            return verifyToken != 0;
        }

        long verifyToken() {
            return verifyToken;
        }

        void subscribe(Subscription subscription) {
            commands.add(new Command(Action.SUBSCRIBE, subscription.kind(), subscription.name()));
        }

        void unsubscribe(Subscription subscription) {
            commands.add(new Command(Action.UNSUBSCRIBE, subscription.kind(), subscription.name()));
        }

        void warn(String warning) {
            warnings.add(warning);
        }

        /** Asks the owner to replace this connection make-before-break (see {@code RedisSource#replace}). */
        void replace(String why) {
            replaceReason = why;
        }

        /** Why the connection should be replaced, if it should. */
        Optional<String> replaceReason() {
            return Optional.ofNullable(replaceReason);
        }
    }
}
