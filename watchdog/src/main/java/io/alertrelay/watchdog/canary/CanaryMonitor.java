package io.alertrelay.watchdog.canary;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.BlindWindows;
import io.alertrelay.watchdog.CanaryTarget;
import io.alertrelay.watchdog.Durations;
import io.alertrelay.watchdog.HealthAlerts;
import io.alertrelay.watchdog.Readiness;
import io.alertrelay.watchdog.RelayHealthAlerts;
import io.alertrelay.watchdog.WatchdogConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The closed-loop proof that the relay's subscription delivers (field notes 6b.1).
 *
 * <p>Every {@code watchdog.canary.interval} a <em>round</em> publishes one canary per {@link CanaryTarget} on every
 * node that takes writes ({@link #publishOn}; by default the master) through the {@link CanaryPublisher} (each with
 * its own sequence number). A canary is judged by where it went: it is expected back, through the pipeline, within
 * {@code watchdog.canary.timeout}, on the node that acknowledged its PUBLISH and on the replicas that node named as
 * online at that moment, as far as the relay listens on them ({@link #expectedNodes}). A canary that could not be
 * published is a publishing problem of its node (logged once as "canaries cannot be published on X", counted, shown in
 * {@link #status()}), never a miss of any subscription. Per listening node:
 * <ul>
 *   <li>{@link NodeState#PENDING}/{@link NodeState#OK} + a missed round → {@link NodeState#SUSPECT}, and the
 *       {@link Resubscriber} is asked to resubscribe;</li>
 *   <li>{@link NodeState#SUSPECT} + a second consecutive miss → {@link NodeState#FAILED}: a critical relay-health
 *       alert is raised through {@link HealthAlerts} (and the source is asked to resubscribe again, as on every further
 *       miss);</li>
 *   <li>a round that comes back completely (even late, unless an older round than the last miss) → {@link NodeState#OK};
 *       the alert, if any, is resolved.</li>
 * </ul>
 * A published canary that comes back on no node at all opens a blind window ({@link BlindWindows#canaryMissed}); every canary that comes back is
 * reported to {@link BlindWindows#onCanaryReceived}.
 *
 * <p><b>Driving it.</b> The monitor owns no thread: the app calls {@link #tick()} every {@link #suggestedTickPeriod()}
 * (it publishes when a round is due and judges rounds whose deadline passed), and {@link #onCanaryReceived} from the
 * pipeline hook. Tests call both with a manual clock. Every method is thread-safe; ports are called outside the lock,
 * and a port that throws is logged and otherwise ignored, so {@code tick()} never throws.
 */
public final class CanaryMonitor {
    /** {@code component} label of the monitor's relay-health alerts. */
    public static final String COMPONENT = "canary";
    /** Rounds kept after judgement, so a late canary still counts as proof. */
    static final int KEPT_ROUNDS = 16;

    private static final Logger log = LoggerFactory.getLogger(CanaryMonitor.class);

    private final Settings settings;
    private final String relayInstance;
    private final List<CanaryTarget> targets;
    private final CanaryPublisher publisher;
    private final Resubscriber resubscriber;
    private final HealthAlerts healthAlerts;
    private final BlindWindows blindWindows;
    private final Clock clock;

    // guarded by this
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private String master;
    /** Where rounds publish; null = the master, or every expected node while no master is named. */
    private Set<String> publishOn;
    private final Map<String, PublishState> publishing = new LinkedHashMap<>();
    /** Replica -> the master it follows with its link up, as the replicas themselves say; null = not known. */
    private Map<String, String> following;
    private final Deque<Round> rounds = new ArrayDeque<>();
    private final List<Alert> orphanedAlerts = new ArrayList<>();
    private long nextSeq = 1;
    private long nextRoundNumber = 1;
    private Instant nextPublishAt;
    private Instant lastPublishedAt;
    private boolean waitingForNodesLogged;
    private long published;
    private long publishFailures;
    private long received;
    private long foreignReceived;
    private long resubscribeRequests;

    /**
     * @param settings      interval, timeout, and how fresh a canary must be for {@link #readiness()}
     * @param relayInstance this relay's id (see {@code RelayInstanceId}); canaries of other instances are ignored
     * @param targets       where to publish ({@code WatchdogConfig.Canary#targets}); none = the monitor stays idle
     */
    public CanaryMonitor(Settings settings, String relayInstance, List<CanaryTarget> targets, CanaryPublisher publisher,
                         Resubscriber resubscriber, HealthAlerts healthAlerts, BlindWindows blindWindows, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.relayInstance = requireNonNull(relayInstance, "relayInstance is null");
        this.targets = List.copyOf(targets);
        this.publisher = requireNonNull(publisher, "publisher is null");
        this.resubscriber = requireNonNull(resubscriber, "resubscriber is null");
        this.healthAlerts = requireNonNull(healthAlerts, "healthAlerts is null");
        this.blindWindows = requireNonNull(blindWindows, "blindWindows is null");
        this.clock = requireNonNull(clock, "clock is null");
        blindWindows.coveredByCanary(this.targets.stream().map(target -> target.subscription().name()).toList());
        if (this.targets.isEmpty()) {
            log.warn("canary: no canary targets (no subscriptions): the subscription's delivery is not being proven");
        } else {
            log.info("canary: every {} on {}, timeout {}, as relay {}", Durations.format(settings.interval()),
                    this.targets.stream().map(t -> t.channel() + " (" + t.subscription() + ")")
                            .collect(Collectors.joining(", ")), Durations.format(settings.timeout()), relayInstance);
        }
    }

    /**
     * @param interval       {@code watchdog.canary.interval}
     * @param timeout        {@code watchdog.canary.timeout}
     * @param readyCanaryAge {@code watchdog.ready-canary-age}
     */
    public record Settings(Duration interval, Duration timeout, Duration readyCanaryAge) {
        public Settings {
            requireNonNull(interval, "interval is null");
            requireNonNull(timeout, "timeout is null");
            requireNonNull(readyCanaryAge, "readyCanaryAge is null");
            if (interval.isZero() || interval.isNegative() || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("interval and timeout must be positive");
            }
        }

        public static Settings from(WatchdogConfig config) {
            return new Settings(config.canary().interval(), config.canary().timeout(), config.readyCanaryAge());
        }
    }

    /** One node, for {@code /status}. Round trip = sent → received (relay clock). */
    public record NodeStatus(String node, NodeState state, Instant since, String reason, boolean master,
                             int consecutiveMisses, long missedRounds, long canariesReceived,
                             Optional<Instant> lastReceived, Optional<Long> lastSeq, Optional<Long> lastRoundTripMillis) {}

    /** The monitor, for {@code /status}. */
    public record MonitorStatus(String relayInstance, Duration interval, Duration timeout, List<CanaryTarget> targets,
                                Optional<String> master, List<NodeStatus> nodes, Optional<Instant> lastPublishedAt,
                                long published, long publishFailures, long received, long foreignReceived,
                                long resubscribeRequests, List<PublishStatus> publishing) {}

    /**
     * Publishing on one node, for {@code /status}: {@code failing} while its last canary could not be published.
     *
     * @param consecutiveFailures canaries in a row that could not be published there
     */
    public record PublishStatus(String node, boolean failing, Instant since, long published, long failures,
                                int consecutiveFailures, Optional<String> lastError) {}

    /** How often the app should call {@link #tick()}: a tenth of the shorter of interval and timeout, 50ms–1s. */
    public Duration suggestedTickPeriod() {
        Duration shorter = settings.timeout().compareTo(settings.interval()) < 0 ? settings.timeout() : settings.interval();
        Duration tenth = shorter.dividedBy(10);
        if (tenth.compareTo(Duration.ofMillis(50)) < 0) {
            return Duration.ofMillis(50);
        }
        return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth;
    }

    /** {@link #expectedNodes(Set, String)} without naming a master: {@link #readiness()} then needs every node. */
    public void expectedNodes(Set<String> nodeNames) {
        expectedNodes(nodeNames, null);
    }

    /**
     * The subscriber nodes that should hear each canary: with one-node subscription just the master; with multi-node
     * subscription every node (replicas receive through replication). Call it when the source settles on a node
     * (before {@link #subscriptionRestored}), not while it is reconnecting. New nodes start {@link NodeState#PENDING};
     * a removed node's open alert is resolved once every remaining node is {@link NodeState#OK}.
     *
     * @param master the node whose canaries {@link #readiness()} requires; null = every node
     */
    public void expectedNodes(Set<String> nodeNames, String master) {
        if (master != null && !nodeNames.contains(master)) {
            throw new IllegalArgumentException("master " + master + " is not among the expected nodes " + nodeNames);
        }
        synchronized (this) {
            Instant now = clock.instant();
            for (String name : new ArrayList<>(nodes.keySet())) {
                if (!nodeNames.contains(name)) {
                    Node removed = nodes.remove(name);
                    if (removed.raised != null) {
                        orphanedAlerts.add(removed.raised);
                    }
                    log.info("canary: no longer expecting canaries on {} (was {})", name, removed.state);
                }
            }
            for (String name : nodeNames) {
                if (!nodes.containsKey(name)) {
                    nodes.put(name, new Node(name, now));
                    log.info("canary: expecting canaries on {}", name);
                }
            }
            this.master = master;
        }
    }

    /**
     * The nodes rounds publish on: every node that takes writes (the master, and any other node whose ROLE says
     * master, as the old master does for a while after {@code SENTINEL FAILOVER}). Empty or never called: the master
     * named in {@link #expectedNodes(Set, String)}, else every expected node.
     */
    public synchronized void publishOn(Set<String> writers) {
        this.publishOn = writers.isEmpty() ? null : Set.copyOf(writers);
        publishing.keySet().retainAll(publishTargets());
    }

    /**
     * What each replica says it replicates from (its own ROLE: master and link up). A node that acknowledged a canary
     * may name a replica that has left it (a master frozen through a failover still lists the promoted node when it
     * resumes); such a replica is not expected to deliver that canary. Never called: the acknowledging node's list
     * is taken as it is.
     */
    public synchronized void replicasFollow(Map<String, String> replicaToMaster) {
        this.following = Map.copyOf(replicaToMaster);
    }

    /**
     * Called by the pipeline hook for every canary that comes back (the pipeline absorbs canaries at the sinks' edge).
     * Canaries of other relay instances are counted and ignored.
     *
     * @param node the subscriber node the canary arrived on, named as in {@link #expectedNodes}
     */
    public void onCanaryReceived(String relay, long seq, String node, Instant receivedAt) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (!relayInstance.equals(relay)) {
                foreignReceived++;
                return;
            }
            Round round = roundOf(seq);
            if (round == null) {
                log.debug("canary: #{} on {} is too old or unknown; ignored", seq, node);
                return;
            }
            if (!round.received.computeIfAbsent(node, ignored -> new HashSet<>()).add(seq)) {
                return; // the same canary through a second matching pattern
            }
            received++;
            CanaryTarget target = round.targets.get(seq);
            effects.add(() -> blindWindows.onCanaryReceived(node, target.subscription().name(), round.sentAt, receivedAt));
            Node state = nodes.get(node);
            if (state == null) {
                log.debug("canary: #{} arrived on {}, which is not an expected node", seq, node);
            } else {
                state.canariesReceived++;
                if (state.lastReceived == null || receivedAt.isAfter(state.lastReceived)) {
                    state.lastReceived = receivedAt;
                }
                if (seq > state.lastSeq) {
                    state.lastSeq = seq;
                    state.lastRoundTrip = Duration.between(round.sentAt, receivedAt);
                }
                if (round.completeOn(node) && round.number >= state.lastMissRound) {   // everything expected there
                    roundCameBack(state, round, receivedAt, effects);
                }
            }
        }
        run(effects);
    }

    /**
     * Convenience for the pipeline hook: if {@code alert} is a canary (of any relay), reports it as received on
     * {@code node} at {@link Alert.Origin#receivedAt()} and returns true, so the hook absorbs it.
     */
    public boolean onCanary(Alert alert, String node) {
        if (!CanaryPayload.isCanary(alert)) {
            return false;
        }
        CanaryPayload.decode(alert).ifPresentOrElse(
                stamp -> onCanaryReceived(stamp.relay(), stamp.seq(), node, alert.origin().receivedAt()),
                () -> log.debug("canary: malformed canary {} absorbed", alert.id()));
        return true;
    }

    /**
     * Judges rounds whose deadline passed, then publishes a round if one is due. The app schedules this every
     * {@link #suggestedTickPeriod()}; tests call it after moving the clock. Never throws.
     */
    public void tick() {
        List<Runnable> effects = new ArrayList<>();
        List<Publication> publications;
        synchronized (this) {
            Instant now = clock.instant();
            for (Round round : rounds) {
                if (!round.evaluated && !now.isBefore(round.deadline)) {
                    judge(round, effects);
                }
            }
            publications = startRoundIfDue(now);
            while (rounds.size() > KEPT_ROUNDS && rounds.peekFirst().evaluated) {
                rounds.removeFirst();
            }
        }
        run(effects);
        for (Publication publication : publications) {
            publish(publication);
        }
    }

    /** Publish a round at the next {@link #tick()} instead of waiting for the interval (after a resubscription). */
    public synchronized void requestCanary() {
        Instant now = clock.instant();
        if (nextPublishAt == null || nextPublishAt.isAfter(now)) {
            nextPublishAt = now;
        }
    }

    /**
     * The app's entry point from the source's state listener: the subscription left SUBSCRIBED/VERIFIED on
     * {@code node}. Opens a blind window ({@link BlindWindows#subscriptionLost}).
     */
    public void subscriptionLost(String node, String subscription, Instant at, String reason) {
        blindWindows.subscriptionLost(node, subscription, at, reason);
    }

    /**
     * The app's entry point from the source's state listener: the subscription is acknowledged again on
     * {@code node}. Records it ({@link BlindWindows#subscriptionRestored}) and publishes a canary at the next tick, so
     * the blind window closes as soon as delivery is proven.
     */
    public void subscriptionRestored(String node, String subscription, Instant at) {
        blindWindows.subscriptionRestored(node, subscription, at);
        requestCanary();
    }

    /**
     * Whether canaries come back: ready when the master (or, with no master named, every expected node) received a
     * canary within {@code watchdog.ready-canary-age}. Part of {@code /health/ready} and of the heartbeat's loop check.
     */
    public Readiness readiness() {
        synchronized (this) {
            if (targets.isEmpty()) {
                return Readiness.notReady("no canary targets: delivery is not being proven");
            }
            if (nodes.isEmpty()) {
                return Readiness.notReady("no subscribed node known yet");
            }
            Instant now = clock.instant();
            List<String> reasons = new ArrayList<>();
            for (Node node : relevantNodes()) {
                if (node.lastReceived == null) {
                    reasons.add("no canary received on " + node.name + " yet");
                } else {
                    Duration age = Duration.between(node.lastReceived, now);
                    if (age.compareTo(settings.readyCanaryAge()) > 0) {
                        reasons.add("last canary on " + node.name + " was received " + Durations.seconds(age)
                                + " ago (limit " + Durations.format(settings.readyCanaryAge()) + ")");
                    }
                }
            }
            return reasons.isEmpty() ? Readiness.ok() : new Readiness(false, reasons);
        }
    }

    /**
     * Metric: seconds since the master (or the stalest expected node) last received a canary; NaN before the first.
     */
    public synchronized double canaryAgeSeconds() {
        if (nodes.isEmpty()) {
            return Double.NaN;
        }
        Instant now = clock.instant();
        double oldest = 0;
        for (Node node : relevantNodes()) {
            if (node.lastReceived == null) {
                return Double.NaN;
            }
            oldest = Math.max(oldest, Duration.between(node.lastReceived, now).toMillis() / 1000.0);
        }
        return oldest;
    }

    public synchronized Optional<NodeState> state(String node) {
        return Optional.ofNullable(nodes.get(node)).map(n -> n.state);
    }

    /** Metric: how many expected nodes are in {@code state}. */
    public synchronized long nodesIn(NodeState state) {
        return nodes.values().stream().filter(node -> node.state == state).count();
    }

    /** Metric: canaries handed to the publisher. */
    public synchronized long published() {
        return published;
    }

    /** Metric: canaries the publisher failed to publish. */
    public synchronized long publishFailures() {
        return publishFailures;
    }

    /** Metric: this instance's canaries that came back (per node). */
    public synchronized long received() {
        return received;
    }

    /** Metric: missed rounds, summed over nodes. */
    public synchronized long missedRounds() {
        return nodes.values().stream().mapToLong(node -> node.missedRounds).sum();
    }

    /** Metric: resubscriptions requested because of missed canaries. */
    public synchronized long resubscribeRequests() {
        return resubscribeRequests;
    }

    public synchronized List<NodeStatus> nodes() {
        List<NodeStatus> result = new ArrayList<>();
        for (Node node : nodes.values()) {
            result.add(new NodeStatus(node.name, node.state, node.since, node.reason, node.name.equals(master),
                    node.consecutiveMisses, node.missedRounds, node.canariesReceived,
                    Optional.ofNullable(node.lastReceived),
                    node.lastSeq > 0 ? Optional.of(node.lastSeq) : Optional.empty(),
                    Optional.ofNullable(node.lastRoundTrip).map(Duration::toMillis)));
        }
        return result;
    }

    public synchronized MonitorStatus status() {
        return new MonitorStatus(relayInstance, settings.interval(), settings.timeout(), targets,
                Optional.ofNullable(master), nodes(), Optional.ofNullable(lastPublishedAt), published, publishFailures,
                received, foreignReceived, resubscribeRequests, publishing());
    }

    public String relayInstance() {
        return relayInstance;
    }

    public List<CanaryTarget> targets() {
        return targets;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private List<Publication> startRoundIfDue(Instant now) {
        if (targets.isEmpty() || (nextPublishAt != null && now.isBefore(nextPublishAt))) {
            return List.of();
        }
        if (nodes.isEmpty()) {
            if (!waitingForNodesLogged) {
                log.info("canary: no subscribed node named yet; the first canary goes out once the source has subscribed");
                waitingForNodesLogged = true;
            }
            return List.of();
        }
        Round round = new Round(nextRoundNumber++, now, now.plus(settings.timeout()), nodes.keySet());
        List<Publication> publications = new ArrayList<>();
        for (String node : publishTargets()) {
            for (CanaryTarget target : targets) {
                long seq = nextSeq++;
                round.targets.put(seq, target);
                round.publishedOn.put(seq, node);
                publications.add(new Publication(seq, node, target.channel(),
                        CanaryPayload.encode(relayInstance, seq, now)));
            }
        }
        rounds.addLast(round);
        published += publications.size();
        lastPublishedAt = now;
        nextPublishAt = now.plus(settings.interval());
        return publications;
    }

    /** Where a round publishes now (see {@link #publishOn}). */
    private Set<String> publishTargets() {
        if (publishOn != null) {
            return publishOn;
        }
        if (master != null) {
            return Set.of(master);
        }
        return new LinkedHashSet<>(nodes.keySet());
    }

    private void publish(Publication publication) {
        CompletionStage<CanaryPublisher.Published> stage;
        try {
            stage = publisher.publish(publication.node, publication.channel, publication.payload);
        } catch (RuntimeException e) {
            publishFailed(publication, e);
            return;
        }
        if (stage == null) {
            publishFailed(publication, new IllegalStateException("the publisher returned no CompletionStage"));
            return;
        }
        stage.whenComplete((published, error) -> {
            if (error != null || published == null) {
                publishFailed(publication, error != null ? error
                        : new IllegalStateException("the publisher completed without saying where"));
            } else {
                publishSucceeded(publication, published);
            }
        });
    }

    private synchronized void publishSucceeded(Publication publication, CanaryPublisher.Published published) {
        Round round = roundOf(publication.seq);
        if (round != null) {
            // expected back on the node that acknowledged it and on its online replicas, where the relay listens
            Set<String> expect = new LinkedHashSet<>();
            expect.add(published.node());
            for (String replica : published.replicas()) {
                if (following == null || published.node().equals(following.get(replica))) {
                    expect.add(replica);
                }
            }
            expect.retainAll(round.expected);
            round.expectedBySeq.put(publication.seq, expect);
        }
        PublishState state = publishing.computeIfAbsent(publication.node, n -> new PublishState(n, clock.instant()));
        state.published++;
        state.consecutiveFailures = 0;
        if (state.failing) {
            state.failing = false;
            state.since = clock.instant();
            log.info("canary: canaries can be published on {} again", publication.node);
        }
    }

    private synchronized void publishFailed(Publication publication, Throwable error) {
        publishFailures++;
        String description = describe(error);
        Round round = roundOf(publication.seq);
        if (round != null) {
            round.publishFailures.put(publication.seq, description);
        }
        PublishState state = publishing.computeIfAbsent(publication.node, n -> new PublishState(n, clock.instant()));
        state.failures++;
        state.consecutiveFailures++;
        state.lastError = description;
        if (!state.failing) {
            state.failing = true;
            state.since = clock.instant();
            log.warn("canary: canaries cannot be published on {} (#{} on {}: {}); a publishing problem of that node, "
                    + "not evidence against any subscription", publication.node, publication.seq, publication.channel,
                    description);
        } else {
            log.debug("canary: publishing #{} on {} failed on {}: {}", publication.seq, publication.channel,
                    publication.node, description);
        }
    }

    /** Metric: nodes whose last canary could not be published. */
    public synchronized long publishFailingNodes() {
        return publishing.values().stream().filter(state -> state.failing).count();
    }

    public synchronized List<PublishStatus> publishing() {
        List<PublishStatus> result = new ArrayList<>();
        for (PublishState state : publishing.values()) {
            result.add(new PublishStatus(state.node, state.failing, state.since, state.published, state.failures,
                    state.consecutiveFailures, Optional.ofNullable(state.lastError)));
        }
        return result;
    }

    /**
     * A round's deadline passed. Each canary is judged by where it went: a node that acknowledged it, or a replica that
     * node named, and that did not deliver it missed the round. A canary whose PUBLISH failed or is still unanswered
     * proves nothing either way (see {@link #publishFailed}); a published one that came back nowhere opens a blind
     * window.
     */
    private void judge(Round round, List<Runnable> effects) {
        round.evaluated = true;
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (Map.Entry<Long, CanaryTarget> entry : round.targets.entrySet()) {
            long seq = entry.getKey();
            Set<String> expect = round.expectedBySeq.get(seq);
            if (expect == null) {
                continue;   // not published (or no answer yet): a publishing matter, judged nowhere
            }
            if (!round.receivedAnywhere(seq)) {
                CanaryTarget target = entry.getValue();
                String reason = what(round, seq) + (expect.isEmpty()
                        ? " (published on " + round.publishedOn.get(seq) + ", where the relay has no live subscription)"
                        : " on any of " + String.join(", ", expect));
                String on = round.publishedOn.get(seq);
                effects.add(() -> blindWindows.canaryMissed(on, target.subscription().name(), round.sentAt, reason));
            }
            for (String name : expect) {
                if (!round.received.getOrDefault(name, Set.of()).contains(seq)) {
                    missing.computeIfAbsent(name, n -> new ArrayList<>()).add(what(round, seq));
                }
            }
        }
        for (Map.Entry<String, List<String>> entry : missing.entrySet()) {
            Node node = nodes.get(entry.getKey());
            if (node != null) {
                missed(node, round, String.join("; ", entry.getValue()) + " on " + node.name, effects);
            }
        }
    }

    private String what(Round round, long seq) {
        CanaryTarget target = round.targets.get(seq);
        return "canary #" + seq + " on " + target.channel() + " (published on " + round.publishedOn.get(seq)
                + ") not received within " + Durations.format(settings.timeout());
    }

    private void missed(Node node, Round round, String reason, List<Runnable> effects) {
        node.consecutiveMisses++;
        node.missedRounds++;
        node.lastMissRound = round.number;
        NodeState previous = node.state;
        switch (previous) {
            case PENDING, OK -> {
                node.enter(NodeState.SUSPECT, reason, clock.instant());
                log.warn("canary: {} {} -> SUSPECT: {}; asking the source to resubscribe", node.name, previous, reason);
            }
            case SUSPECT -> {
                node.enter(NodeState.FAILED, reason, clock.instant());
                log.error("canary: {} SUSPECT -> FAILED: {} ({} rounds in a row); raising a critical relay-health alert "
                        + "and asking the source to resubscribe again", node.name, reason, node.consecutiveMisses);
                Alert alert = failedAlert(node, reason);
                node.raised = alert;
                effects.add(() -> healthAlerts.raise(alert));
            }
            case FAILED -> {
                node.reason = reason;
                log.debug("canary: {} still FAILED: {} ({} rounds in a row)", node.name, reason, node.consecutiveMisses);
            }
        }
        resubscribeRequests++;
        String name = node.name;
        effects.add(() -> resubscriber.resubscribe(name, reason));
    }

    private void roundCameBack(Node node, Round round, Instant receivedAt, List<Runnable> effects) {
        node.consecutiveMisses = 0;
        if (node.state == NodeState.OK) {
            return;
        }
        NodeState previous = node.state;
        long millis = Duration.between(round.sentAt, receivedAt).toMillis();
        String reason = "canary round " + round.number + " came back after " + millis + " ms";
        node.enter(NodeState.OK, reason, clock.instant());
        if (previous == NodeState.PENDING) {
            log.info("canary: {} PENDING -> OK: first {}", node.name, reason);
        } else {
            log.info("canary: {} {} -> OK: {}", node.name, previous, reason);
        }
        if (node.raised != null) {
            Alert resolved = RelayHealthAlerts.resolved(node.raised,
                    "Canaries come back through the relay's subscription on " + node.name + " again (" + reason + ").",
                    clock.instant());
            node.raised = null;
            effects.add(() -> healthAlerts.resolve(resolved));
        }
        if (!orphanedAlerts.isEmpty() && nodes.values().stream().allMatch(n -> n.state == NodeState.OK)) {
            String now = String.join(", ", nodes.keySet());
            for (Alert orphan : orphanedAlerts) {
                Alert resolved = RelayHealthAlerts.resolved(orphan,
                        "The relay no longer subscribes on " + orphan.labels().get("node")
                                + "; canaries come back on " + now + ".", clock.instant());
                effects.add(() -> healthAlerts.resolve(resolved));
            }
            orphanedAlerts.clear();
        }
    }

    private Alert failedAlert(Node node, String reason) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("consecutive_misses", node.consecutiveMisses);
        extra.put("last_canary_received", node.lastReceived == null ? null : node.lastReceived.toString());
        Set<String> subscriptions = new LinkedHashSet<>();
        targets.forEach(target -> subscriptions.add(target.subscription().name()));
        return RelayHealthAlerts.alert(
                "relay-canary:" + relayInstance + ":" + node.name,
                Status.FIRING, Severity.CRITICAL,
                "Alert Relay is not receiving its canaries on " + node.name,
                node.consecutiveMisses + " canary rounds in a row did not come back through the relay's subscription ("
                        + String.join(", ", subscriptions) + ") on " + node.name + ": " + reason
                        + ". Alerts published now may not be delivered. The relay asked the source to resubscribe.",
                COMPONENT, relayInstance, Map.of("node", node.name), extra, clock.instant());
    }

    private Collection<Node> relevantNodes() {
        if (master != null && nodes.containsKey(master)) {
            return List.of(nodes.get(master));
        }
        return nodes.values();
    }

    private Round roundOf(long seq) {
        for (Round round : rounds) {
            if (round.targets.containsKey(seq)) {
                return round;
            }
        }
        return null;
    }

    private void run(List<Runnable> effects) {
        for (Runnable effect : effects) {
            try {
                effect.run();
            } catch (RuntimeException e) {
                log.warn("canary: a watchdog port failed: {}", e.toString());
            }
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        String text = cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        text = text.replaceAll("\\s+", " ");
        return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }

    private record Publication(long seq, String node, String channel, String payload) {}

    private static final class PublishState {
        final String node;
        boolean failing;
        Instant since;
        long published;
        long failures;
        int consecutiveFailures;
        String lastError;

        PublishState(String node, Instant since) {
            this.node = node;
            this.since = since;
        }
    }

    private static final class Round {
        final long number;
        final Instant sentAt;
        final Instant deadline;
        final Set<String> expected;
        final Map<Long, CanaryTarget> targets = new LinkedHashMap<>();
        final Map<String, Set<Long>> received = new HashMap<>();
        final Map<Long, String> publishFailures = new HashMap<>();
        /** seq -> the node it was published on. */
        final Map<Long, String> publishedOn = new HashMap<>();
        /** seq -> where it must come back (set when its PUBLISH is acknowledged). */
        final Map<Long, Set<String>> expectedBySeq = new HashMap<>();
        boolean evaluated;

        Round(long number, Instant sentAt, Instant deadline, Set<String> expected) {
            this.number = number;
            this.sentAt = sentAt;
            this.deadline = deadline;
            this.expected = Collections.unmodifiableSet(new LinkedHashSet<>(expected));
        }

        /** Whether {@code node} delivered every canary of the round that is known to be expected there. */
        boolean completeOn(String node) {
            Set<Long> got = received.getOrDefault(node, Set.of());
            boolean any = false;
            for (Map.Entry<Long, Set<String>> entry : expectedBySeq.entrySet()) {
                if (entry.getValue().contains(node)) {
                    any = true;
                    if (!got.contains(entry.getKey())) {
                        return false;
                    }
                }
            }
            return any || !got.isEmpty();
        }

        boolean receivedAnywhere(long seq) {
            return received.values().stream().anyMatch(seqs -> seqs.contains(seq));
        }
    }

    private static final class Node {
        final String name;
        NodeState state = NodeState.PENDING;
        Instant since;
        String reason = "waiting for the first canary";
        int consecutiveMisses;
        long missedRounds;
        long canariesReceived;
        long lastMissRound;
        long lastSeq;
        Instant lastReceived;
        Duration lastRoundTrip;
        Alert raised;

        Node(String name, Instant since) {
            this.name = name;
            this.since = since;
        }

        void enter(NodeState next, String why, Instant at) {
            state = next;
            reason = why;
            since = at;
        }
    }
}
