package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.source.redis.SubscriptionTracker.Plan;
import io.alertrelay.source.redis.SubscriptionTracker.Transition;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import io.alertrelay.spi.Source;
import io.alertrelay.spi.SubscriptionRegistry;
import io.lettuce.core.RedisURI;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The Redis {@link Source}: keeps every entry of the {@link SubscriptionRegistry} subscribed through reconnects and
 * failovers, on a standalone server, on the master Sentinel names ({@code redis.subscribe-on: master}), on every
 * data node Sentinel knows ({@code redis.subscribe-on: every-node}, the Sentinel default), or on every master of a
 * Redis Cluster ({@code redis.cluster}), delivering each published message once ({@link MessageDeduplicator}). Where
 * the subscriptions go is decided by one {@link Topology} class per kind of deployment.
 *
 * <p>Each subscription connection ({@link NodeSubscriber}) re-issues SUBSCRIBE and PSUBSCRIBE for the registry's
 * snapshot on <em>every</em> (re)connect, counts the server's acknowledgements ({@link SubscriptionState#SUBSCRIBED}),
 * checks {@code CLIENT INFO} on the same connection ({@link SubscriptionState#VERIFIED}), follows registry changes,
 * and PINGs every {@code ping-interval}: with no PONG within {@code ping-timeout} it drops the connection so the client
 * reconnects at once. In Sentinel mode the source also listens to Sentinel events on every sentinel and reconciles
 * every {@code reconcile-interval} (Sentinel's view, {@code ROLE} on each node, {@code CLIENT INFO} on each
 * connection), so a missed event cannot strand a subscription.
 *
 * <p>Threading: messages reach the {@link MessageHandler} on Lettuce's I/O threads (one per connection at a time);
 * state listeners are called on the thread that caused the transition (I/O, registry caller, or the source's timer).
 * Neither may block. The source never blocks an I/O thread: every command is sent asynchronously.
 *
 * <p>Construct it directly ({@link #create}, or the constructors); no dependency injection is needed.
 */
public final class RedisSource implements Source {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    /** How long {@link #close()} waits for the unsubscribe, the connection close and each shutdown step. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Make-before-break: how long a replacement connection may take to connect, subscribe the registry and be VERIFIED
     * before it is given up (the current connection is kept).
     */
    public static final Duration REPLACEMENT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Make-before-break: how long after the old connection closed the overlap deduplication stays on, so copies still
     * in flight on the new connection of messages the old one delivered are dropped.
     */
    public static final Duration HANDOVER_TAIL = Duration.ofSeconds(2);
    /** TCP keepalive on every connection: first probe after this idle time. */
    public static final Duration KEEPALIVE_IDLE = Duration.ofSeconds(30);
    /** TCP keepalive: time between probes. */
    public static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
    /** TCP keepalive: unanswered probes before the kernel drops the connection. */
    public static final int KEEPALIVE_COUNT = 3;

    private final RedisSourceConfig config;
    private final SubscriptionRegistry registry;
    private final Clock clock;
    private final ReconnectDelay reconnectDelay;
    private final MessageDeduplicator dedup;
    private volatile MessageHandler duplicateObserver;
    private final List<Consumer<SourceStatus>> stateListeners = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> receipts = new ConcurrentHashMap<>();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder handoverDuplicates = new LongAdder();
    private final LongAdder replacements = new LongAdder();
    /** Make-before-break replacements under way (and in their tail), by both the old and the new subscriber. */
    private final Map<NodeSubscriber, Handover> handovers = new ConcurrentHashMap<>();
    private final NodeSubscriber.Owner owner = new Owner();

    private final Object lifecycle = new Object();
    private boolean started;
    private volatile boolean closed;
    private volatile MessageHandler handler;
    private ClientResources resources;
    private ScheduledExecutorService timer;
    private Disposable eventSubscription;
    private final LettuceSupport.PubSubChannels pubSubChannels = new LettuceSupport.PubSubChannels();
    private final Topology.Context context = new Context();
    /** Where the subscriptions go (one class per Redis topology); set by {@link #start}. */
    private volatile Topology topology;
    /** Guards the topology's subscriber maps and {@link #handovers}' promoted/abandoned flags. */
    private final Object topologyLock = new Object();
    private final Instant createdAt;

    private final AtomicBoolean reconcileRunning = new AtomicBoolean();
    private final AtomicBoolean reconcileAgain = new AtomicBoolean();
    private final CompletableFuture<Void> firstReconcile = new CompletableFuture<>();

    public RedisSource(RedisSourceConfig config, SubscriptionRegistry registry) {
        this(config, registry, Clock.systemUTC());
    }

    /** {@code clock} stamps {@link InboundMessage#receivedAt()}, {@link SourceStatus#since()} and dedup entries. */
    public RedisSource(RedisSourceConfig config, SubscriptionRegistry registry, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reconnectDelay = new ReconnectDelay(config.reconnectDelayMax());
        this.dedup = config.everyNode()
                ? new MessageDeduplicator(clock, config.dedupWindow(), config.dedupMaxEntries()) : null;
        this.createdAt = clock.instant();
    }

    public static RedisSource create(RedisSourceConfig config, SubscriptionRegistry registry, Clock clock) {
        return new RedisSource(config, registry, clock);
    }

    /**
     * Connects and subscribes the registry. Returns after the first connection attempt finished (bounded by the
     * connect timeout; in every-node mode: the first Sentinel query and the first attempt on the master); when it
     * failed, the source keeps retrying in the background (see {@link #status()}).
     *
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    @Override
    public void start(MessageHandler handler) {
        requireNonNull(handler, "handler is null");
        CompletableFuture<?> firstAttempt;
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("Redis source is closed");
            }
            if (started) {
                throw new IllegalStateException("Redis source is already started");
            }
            started = true;
            this.handler = handler;
            log.info("Starting Redis source: {} (its settings: the effective configuration, logged at start)",
                    config.redactedTarget());
            timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "alert-relay-redis-source");
                thread.setDaemon(true);
                return thread;
            });
            resources = DefaultClientResources.builder()
                    .ioThreadPoolSize(2)
                    .computationThreadPoolSize(2)
                    .reconnectDelay(reconnectDelay)
                    .nettyCustomizer(pubSubChannels)
                    .build();
            eventSubscription = resources.eventBus().get().subscribe(this::onEvent);
            registry.addListener(snapshot -> onRegistryChanged());
            topology = createTopology();
            firstAttempt = topology.start();
            long period = config.pingInterval().toNanos();
            timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.NANOSECONDS);
            long reconcile = config.reconcileInterval().toNanos();
            timer.scheduleWithFixedDelay(this::reconcile, reconcile, reconcile, TimeUnit.NANOSECONDS);
        }
        awaitFirstAttempt(firstAttempt);
    }

    /**
     * The relay's health: the subscription on the current master (standalone: the one server; master mode: the one
     * connection; every-node mode: the connection to the node Sentinel names master, or RESOLVING with the reason
     * while no master is known or it has no connection yet).
     */
    public SourceStatus status() {
        Topology current = topology;
        if (current == null) {
            return new SourceStatus(SubscriptionState.RESOLVING, Optional.empty(), createdAt,
                    closed ? "source closed" : "not started", 0, Set.of());
        }
        return current.status();
    }

    /**
     * Every subscription connection, one per node in every-node mode (the master first), else the one connection.
     * Role is as last seen ({@code ROLE} on the node, else Sentinel's lists).
     */
    public List<NodeStatus> nodes() {
        Topology current = topology;
        if (current == null) {
            return config.everyNode() ? new ArrayList<>() : new ArrayList<>(List.of(NodeStatus.of(status())));
        }
        return new ArrayList<>(current.nodes());
    }

    /** The same as {@link #nodes()}. */
    public List<NodeStatus> statuses() {
        return nodes();
    }

    /**
     * Calls {@code listener} with the new status after every state transition of <em>any</em> node's subscription
     * (each also logged once at INFO; {@link SourceStatus#node()} and {@link SourceStatus#role()} say which), and with
     * the master's status when Sentinel names a new master. Called on the thread that caused it; must not block.
     */
    public void addStateListener(Consumer<SourceStatus> listener) {
        stateListeners.add(requireNonNull(listener, "listener is null"));
    }

    public RedisSourceConfig config() {
        return config;
    }

    @Override
    public String describe() {
        SourceStatus status = status();
        String text = "Redis " + config.redactedTarget() + " as '" + config.clientName() + "': " + status.state()
                + status.node().map(n -> " on " + n).orElse("") + " (" + status.reason() + "), registry "
                + registry.snapshot();
        Topology current = topology;
        return current == null ? text : text + current.describeNodes();
    }

    /** Unsubscribes, closes the connections and shuts the client down, each step bounded by {@link #CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        boolean wasStarted;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            wasStarted = started;
        }
        if (!wasStarted) {
            return;
        }
        timer.shutdownNow();
        topology.close();
        List<NodeSubscriber> all = new ArrayList<>(topology.subscribers());
        for (NodeSubscriber subscriber : handovers.keySet()) {
            if (!all.contains(subscriber)) {
                all.add(subscriber);
            }
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (NodeSubscriber subscriber : all) {
            closing.add(LettuceSupport.inBackground(() -> subscriber.close("source closed")));
        }
        LettuceSupport.await(CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)), "closing the subscriptions",
                CLOSE_TIMEOUT.multipliedBy(3));
        eventSubscription.dispose();
        try {
            if (!resources.shutdown(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .await(CLOSE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                log.warn("Redis client resources did not shut down within {}", CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Redis source closed");
    }

    /** Messages received per node (before deduplication), since start. */
    public Map<String, Long> receivedByNode() {
        Map<String, Long> result = new LinkedHashMap<>();
        receipts.forEach((node, count) -> result.put(node, count.sum()));
        return result;
    }

    /**
     * Sees every copy the deduplication drops (every-node mode), with the node it came from, on the I/O thread; must
     * not block. The watchdog uses it: a canary is delivered once, but it must be seen coming back through every node.
     */
    public void setDuplicateObserver(MessageHandler observer) {
        this.duplicateObserver = observer;
    }

    /** Copies dropped as duplicates of a message another node delivered (every-node mode), since start. */
    public long duplicatesDropped() {
        return duplicates.sum();
    }

    /** For tests: ignore Sentinel events, as if every one of them were missed (the reconcile must still repair). */
    void sentinelEventsEnabled(boolean enabled) {
        topology.sentinelEventsEnabled(enabled);
    }

    // ---------------------------------------------------------------------------------------------- connecting

    private Topology createTopology() {
        if (config.cluster().isPresent()) {
            return new ClusterTopology(context);
        }
        if (config.sentinel().isEmpty()) {
            return new SingleTopology(context, null);
        }
        SentinelWatch watch = new SentinelWatch(config, resources, this::requestReconcile);
        return config.everyNode() ? new SentinelTopology(context, watch) : new SingleTopology(context, watch);
    }

    private NodeSubscriber newSubscriber(RedisURI uri, String fixedNode, String target) {
        return new NodeSubscriber(config, resources, timer, clock, registry::snapshot, uri, fixedNode, target,
                reconnectDelay, owner);
    }

    private void awaitFirstAttempt(CompletableFuture<?> firstAttempt) {
        int lookups = config.sentinel().map(s -> s.nodes().size())
                .orElse(config.cluster().map(c -> c.nodes().size()).orElse(0));
        Duration bound = config.connectTimeout().multipliedBy(lookups + 2L).plusSeconds(1);
        try {
            firstAttempt.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.info("Redis source still connecting after {}; continuing in the background", bound);
        }
    }

    // ---------------------------------------------------------------------------------------------- events

    /** Every open connection: the current ones and the replacements under way (ticks, registry changes, events). */
    private List<NodeSubscriber> allConnections() {
        Topology placed = topology;
        List<NodeSubscriber> current = placed == null ? List.of() : placed.subscribers();
        if (handovers.isEmpty()) {
            return current;
        }
        List<NodeSubscriber> all = new ArrayList<>(current);
        for (NodeSubscriber subscriber : handovers.keySet()) {
            if (!all.contains(subscriber) && !subscriber.isClosed()) {
                all.add(subscriber);
            }
        }
        return all;
    }

    private void onRegistryChanged() {
        if (closed) {
            return;
        }
        for (NodeSubscriber subscriber : allConnections()) {
            subscriber.registryChanged();
        }
    }

    private void onEvent(Event event) {
        if (!(event instanceof ReconnectFailedEvent failed) || closed) {
            return;
        }
        String address = LettuceSupport.format(failed.remoteAddress());
        Topology placed = topology;
        if (placed == null || placed.isLookup(address)) {
            return;   // one of our Sentinel connections
        }
        for (NodeSubscriber subscriber : allConnections()) {
            if (subscriber.fixedNode().map(address::equals).orElse(true)) {
                subscriber.reconnectFailed(failed);
            }
        }
    }

    /** Periodic, on the source's timer: due verifications and the PING deadline checks of every connection. */
    private void tick() {
        for (NodeSubscriber subscriber : allConnections()) {
            try {
                subscriber.tick();
            } catch (RuntimeException e) {
                log.warn("Redis source timer task failed for {}", subscriber, e);   // keep the schedule alive
            }
        }
    }

    private void onMessage(NodeSubscriber from, String channel, Optional<String> pattern, String payload) {
        MessageHandler target = handler;
        if (closed || target == null || channel == null) {
            return;
        }
        String text = payload == null ? "" : payload;
        String node = from.node();
        if (!handovers.isEmpty()) {
            Handover handover = handovers.get(from);
            if (handover != null
                    && !handover.overlap.receive(from.serial, pattern, channel, text)) {
                handoverDuplicates.increment();   // the other connection of this handover delivered it already
                return;
            }
        }
        receipts.computeIfAbsent(node, n -> new LongAdder()).increment();
        if (dedup != null && !dedup.receive(node, pattern, channel, text)) {
            duplicates.increment();
            MessageHandler observer = duplicateObserver;
            if (observer != null) {   // e.g. the watchdog: a canary must come back through every node
                try {
                    observer.onMessage(new InboundMessage(channel, pattern, text, node, clock.instant()));
                } catch (RuntimeException e) {
                    log.warn("Duplicate observer failed on a message from channel {} ({})", channel, node, e);
                }
            }
            return;   // another node delivered this copy already
        }
        try {
            target.onMessage(new InboundMessage(channel, pattern, text, node, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("Message handler failed on a message from channel {} ({}); continuing", channel, node, e);
        }
    }

    private void report(NodeSubscriber from, Plan plan) {
        Handover handover = handovers.isEmpty() ? null : handovers.get(from);
        if (handover != null && (from == handover.fresh ? !handover.promoted : handover.promoted)) {
            // the replacement before it takes over, or the replaced connection after: logged, not the node's state
            String which = from == handover.fresh ? "replacement" : "replaced";
            for (String warning : plan.warnings()) {
                log.warn("Redis source ({} connection): {}", which, warning);
            }
            for (Transition transition : plan.transitions()) {
                SourceStatus status = transition.status();
                log.info("Redis source ({} connection) {} -> {}{}: {}", which, transition.from(), status.state(),
                        status.node().map(n -> " on " + n).orElse(""), status.reason());
            }
            if (from == handover.fresh && from.confirmed()) {
                try {
                    timer.execute(() -> promote(handover));
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
            return;
        }
        plan.replaceReason().ifPresent(why -> {
            try {
                timer.execute(() -> replace(from, why));
            } catch (RejectedExecutionException e) {
                // closing
            }
        });
        for (String warning : plan.warnings()) {
            log.warn("Redis source: {}", warning);
        }
        for (Transition transition : plan.transitions()) {
            SourceStatus status = transition.status();
            log.info("Redis source {} -> {}{}{}: {}", transition.from(), status.state(),
                    status.node().map(n -> " on " + n).orElse(""),
                    status.role() == NodeRole.UNKNOWN ? "" : " (" + status.role().name().toLowerCase(Locale.ROOT) + ")",
                    status.reason());
            notifyListeners(status);
            Topology placed = topology;
            if (placed != null) {
                placed.transitioned(from, status);
            }
        }
    }

    private void notifyListeners(SourceStatus status) {
        for (Consumer<SourceStatus> listener : stateListeners) {
            try {
                listener.accept(status);
            } catch (RuntimeException e) {
                log.warn("Redis source state listener {} failed", listener, e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- reconcile

    /**
     * Builds a fresh connection and subscription on {@code node} make-before-break (see {@link #replace}): the watchdog
     * calls this after a canary miss, when a connection may look alive and still deliver nothing. Non-blocking; a node
     * without a live subscription is reconnected at once instead (nothing to keep), and one without a connection is
     * left to the reconcile.
     */
    public void resubscribe(String node, String reason) {
        if (closed) {
            return;
        }
        topology.resubscribe(node, reason);
    }

    /**
     * Resubscribes make-before-break: a second connection to the same target (the same node; in master mode the master
     * as Sentinel names it now) subscribes the whole registry and is verified server-side (CLIENT INFO); only then
     * does it take the old connection's place, and the old one is closed. Messages both connections receive meanwhile
     * are delivered once (an overlap deduplicator per handover). If the new connection is not confirmed within
     * {@link #REPLACEMENT_TIMEOUT}, it is closed and the old one kept. A subscriber whose subscription is not live
     * (not SUBSCRIBED or VERIFIED) has nothing to keep: it is resubscribed in place, or its connection dropped so the
     * client reconnects at once. One replacement per subscriber at a time.
     */
    void replace(NodeSubscriber old, String reason) {
        if (closed || old.isClosed()) {
            return;
        }
        SubscriptionState state = old.state();
        if (state == SubscriptionState.CONNECTED) {
            old.resubscribe(reason);
            return;
        }
        if (state != SubscriptionState.SUBSCRIBED && state != SubscriptionState.VERIFIED) {
            old.drop(reason);
            return;
        }
        Handover handover;
        synchronized (topologyLock) {
            Handover running = handovers.get(old);
            boolean underWay = running != null && !running.abandoned && !(running.promoted && running.fresh == old);
            if (underWay || !topology.isCurrent(old)) {
                log.debug("Redis source: replacement of {} already under way or superseded ({})", old, reason);
                return;
            }
            NodeSubscriber fresh = newSubscriber(old.uri(), old.fixedNode().orElse(null), old.target());
            // old may itself be the replacement of a handover still in its tail, whose replaced connection can still
            // deliver what it read: the new handover goes on with that one's deduplicator, so a copy that connection
            // delivers is not delivered again by old or by fresh (each connection counts under its own serial)
            MessageDeduplicator overlap = running != null && running.promoted && running.fresh == old
                    ? running.overlap
                    : new MessageDeduplicator(clock, config.dedupWindow(), config.dedupMaxEntries());
            handover = new Handover(old, fresh, reason, overlap);
            handovers.put(old, handover);
            handovers.put(fresh, handover);
        }
        replacements.increment();
        log.info("Redis source: resubscribing on {} make-before-break ({}): a second connection subscribes the registry;"
                + " the current one stays until the new one is verified", old.node(), reason);
        handover.fresh.start();
        try {
            timer.schedule(() -> abandon(handover, "not confirmed within " + REPLACEMENT_TIMEOUT.toSeconds() + " s ("
                    + handover.fresh.status().state() + ": " + handover.fresh.status().reason() + ")"),
                    REPLACEMENT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** The new connection is confirmed: it takes the old one's place, then the old one is closed. */
    private void promote(Handover handover) {
        synchronized (topologyLock) {
            if (handover.promoted || handover.abandoned || closed) {
                return;
            }
            if (!topology.isCurrent(handover.old)) {
                handover.abandoned = true;
            } else {
                handover.fresh.continueCountFrom(handover.old);
                topology.promoted(handover.old, handover.fresh);
                handover.promoted = true;
            }
        }
        if (handover.abandoned) {
            retire(handover, handover.fresh, "the node it was to replace is no longer subscribed");
            return;
        }
        SourceStatus now = handover.fresh.status();
        log.info("Redis source: {} resubscribed make-before-break: the new connection is {} ({}); closing the old one",
                now.node().orElse(handover.old.node()), now.state(), handover.reason);
        notifyListeners(now);
        retire(handover, handover.old, "replaced by a verified connection (make-before-break)");
    }

    /** The new connection did not make it in time: close it, keep the old one. */
    private void abandon(Handover handover, String why) {
        synchronized (topologyLock) {
            if (handover.promoted || handover.abandoned) {
                return;
            }
            handover.abandoned = true;
        }
        if (!closed) {
            log.warn("Redis source: the replacement connection for {} was {}; keeping the current connection",
                    handover.old.node(), why);
        }
        retire(handover, handover.fresh, "replacement given up: " + why);
    }

    /** Closes the side of a handover that lost, in the background; ends the handover after {@link #HANDOVER_TAIL}. */
    private void retire(Handover handover, NodeSubscriber loser, String why) {
        LettuceSupport.inBackground(() -> loser.close(why)).whenComplete((ignored, error) -> {
            try {
                timer.schedule(() -> {
                    handovers.remove(handover.old, handover);
                    handovers.remove(handover.fresh, handover);
                }, HANDOVER_TAIL.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                handovers.remove(handover.old, handover);
                handovers.remove(handover.fresh, handover);
            }
        });
    }

    /** Resubscriptions done make-before-break (started), since start. */
    public long replacements() {
        return replacements.sum();
    }

    /** Copies dropped because both connections of a make-before-break handover received them, since start. */
    public long handoverDuplicatesDropped() {
        return handoverDuplicates.sum();
    }

    /** One make-before-break replacement: who replaces whom, and the overlap's deduplication. */
    private static final class Handover {
        final NodeSubscriber old;
        final NodeSubscriber fresh;
        final String reason;
        final MessageDeduplicator overlap;
        boolean promoted;    // guarded by topology
        boolean abandoned;   // guarded by topology

        Handover(NodeSubscriber old, NodeSubscriber fresh, String reason, MessageDeduplicator overlap) {
            this.old = old;
            this.fresh = fresh;
            this.reason = reason;
            this.overlap = overlap;
        }
    }

    /** A Sentinel event: reconcile now, on the timer. */
    private void requestReconcile() {
        if (closed) {
            return;
        }
        try {
            timer.execute(this::reconcile);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** One reconcile at a time; a request while one runs makes another run right after it. */
    private void reconcile() {
        if (closed) {
            return;
        }
        if (!reconcileRunning.compareAndSet(false, true)) {
            reconcileAgain.set(true);
            return;
        }
        CompletableFuture<Void> round;
        try {
            round = topology.reconcile();
        } catch (RuntimeException e) {
            round = CompletableFuture.failedFuture(e);
        }
        round.whenComplete((ignored, error) -> {
            if (error != null && !closed) {
                log.warn("Redis source: reconcile failed: {}", LettuceSupport.describe(LettuceSupport.unwrap(error)));
            }
            reconcileRunning.set(false);
            firstReconcile.complete(null);
            if (reconcileAgain.getAndSet(false)) {
                requestReconcile();
            }
        });
    }

    /** Re-checks a VERIFIED connection (CLIENT INFO); resubscribes one stuck waiting for acknowledgements. */
    private void repair(NodeSubscriber subscriber) {
        SourceStatus status = subscriber.status();
        if (status.state() == SubscriptionState.VERIFIED) {
            subscriber.recheck();
        } else if (status.state() == SubscriptionState.CONNECTED
                && !status.since().plus(config.reconcileInterval()).isAfter(clock.instant())) {
            subscriber.resubscribe("reconcile: " + status.node().orElse("the node") + " has not acknowledged every"
                    + " subscription since " + status.since() + " (" + status.reason() + "); subscribing again");
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private final class Owner implements NodeSubscriber.Owner {
        @Override
        public void message(NodeSubscriber from, String channel, Optional<String> pattern, String payload) {
            onMessage(from, channel, pattern, payload);
        }

        @Override
        public void report(NodeSubscriber from, Plan plan) {
            RedisSource.this.report(from, plan);
        }

        @Override
        public List<Channel> pubSubChannels() {
            return pubSubChannels.list();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }

    private final class Context implements Topology.Context {
        @Override
        public RedisSourceConfig config() {
            return config;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public ScheduledExecutorService timer() {
            return timer;
        }

        @Override
        public ClientResources resources() {
            return resources;
        }

        @Override
        public Object lock() {
            return topologyLock;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public NodeSubscriber newSubscriber(RedisURI uri, String fixedNode, String target) {
            return RedisSource.this.newSubscriber(uri, fixedNode, target);
        }

        @Override
        public void replace(NodeSubscriber subscriber, String reason) {
            RedisSource.this.replace(subscriber, reason);
        }

        @Override
        public void repair(NodeSubscriber subscriber) {
            RedisSource.this.repair(subscriber);
        }

        @Override
        public void notifyListeners(SourceStatus status) {
            RedisSource.this.notifyListeners(status);
        }

        @Override
        public void requestReconcile() {
            RedisSource.this.requestReconcile();
        }

        @Override
        public CompletableFuture<Void> firstReconcile() {
            return firstReconcile;
        }
    }
}
