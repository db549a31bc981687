package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.source.redis.SubscriptionTracker.Plan;
import io.alertrelay.source.redis.SubscriptionTracker.Transition;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import io.alertrelay.spi.Source;
import io.alertrelay.spi.SubscriptionRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.pubsub.PubSubCommandHandler;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * failovers, on a standalone server, on the master Sentinel names ({@code redis.subscribe-on: master}), or on every
 * data node Sentinel knows ({@code redis.subscribe-on: every-node}, the Sentinel default), delivering each published
 * message once ({@link MessageDeduplicator}).
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
    private final Set<Channel> pubSubChannels = ConcurrentHashMap.newKeySet();
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
    private SentinelWatch sentinelWatch;

    /** Standalone and master mode: the one subscription. */
    private volatile NodeSubscriber single;
    /** Every-node mode: one subscription per data node, by {@code host:port}; guarded by {@link #topology}. */
    private final Map<String, NodeSubscriber> nodes = new LinkedHashMap<>();
    private final Object topology = new Object();
    /** Every-node mode: the master as Sentinel last named it. */
    private volatile String master;
    /**
     * Set while the node Sentinel names master itself reports ROLE replica and exactly one subscribed node reports ROLE
     * master (after the FAILOVER command Sentinel lags 25-30 s): health follows the node that really is master. Never
     * set while Sentinel's choice still reports master, so an isolated old master cannot win.
     */
    private volatile String roleMaster;
    private volatile String masterReason = "not started";
    private volatile Instant masterSince;

    /** Sentinel-versus-ROLE disagreements already logged (each once). */
    private final Set<String> roleMismatches = ConcurrentHashMap.newKeySet();
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
        this.masterSince = clock.instant();
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
                    .nettyCustomizer(new ChannelTracker())
                    .build();
            eventSubscription = resources.eventBus().get().subscribe(this::onEvent);
            registry.addListener(snapshot -> onRegistryChanged());
            if (config.sentinel().isPresent()) {
                sentinelWatch = new SentinelWatch(config, resources, this::requestReconcile);
            }
            if (config.everyNode()) {
                sentinelWatch.start();
                masterReason = "asking Sentinel for the master";
                timer.execute(this::reconcile);
                firstAttempt = firstReconcile.thenCompose(ignored -> {
                    NodeSubscriber onMaster = masterSubscriber();
                    return onMaster == null ? CompletableFuture.completedFuture(null) : onMaster.firstAttempt();
                });
            } else {
                String fixed = null;   // standalone and master mode: the node is known while connected only
                single = newSubscriber(redisUri(config), fixed, config.redactedTarget());
                firstAttempt = single.start();
                if (sentinelWatch != null) {
                    sentinelWatch.start();
                }
            }
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
        if (!config.everyNode()) {
            NodeSubscriber current = single;
            return current != null ? current.status()
                    : new SourceStatus(SubscriptionState.RESOLVING, Optional.empty(), masterSince,
                            closed ? "source closed" : "not started", 0, Set.of());
        }
        NodeSubscriber onMaster = masterSubscriber();
        if (onMaster != null && !closed) {
            return onMaster.status();
        }
        return new SourceStatus(SubscriptionState.RESOLVING, Optional.ofNullable(master), masterSince,
                closed ? "source closed" : masterReason, 0, Set.of(),
                master == null ? NodeRole.UNKNOWN : NodeRole.MASTER);
    }

    /**
     * Every subscription connection, one per node in every-node mode (the master first), else the one connection.
     * Role is as last seen ({@code ROLE} on the node, else Sentinel's lists).
     */
    public List<NodeStatus> nodes() {
        List<NodeStatus> result = new ArrayList<>();
        if (!config.everyNode()) {
            NodeSubscriber current = single;
            result.add(current != null && !closed ? current.nodeStatus() : NodeStatus.of(status()));
            return result;
        }
        String currentMaster = master;
        synchronized (topology) {
            NodeSubscriber onMaster = currentMaster == null ? null : nodes.get(currentMaster);
            if (onMaster != null) {
                result.add(onMaster.nodeStatus());
            }
            for (NodeSubscriber subscriber : nodes.values()) {
                if (subscriber != onMaster) {
                    result.add(subscriber.nodeStatus());
                }
            }
        }
        return result;
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
        if (config.everyNode()) {
            StringBuilder all = new StringBuilder();
            for (NodeStatus node : nodes()) {
                all.append(all.length() == 0 ? "" : ", ").append(node.node()).append(' ').append(node.role())
                        .append(' ').append(node.state());
            }
            text += ", subscribed on every node [" + all + "]";
        }
        return text;
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
        if (sentinelWatch != null) {
            sentinelWatch.close();
        }
        List<NodeSubscriber> all = new ArrayList<>();
        synchronized (topology) {
            all.addAll(nodes.values());
        }
        if (single != null) {
            all.add(single);
        }
        for (NodeSubscriber subscriber : handovers.keySet()) {
            if (!all.contains(subscriber)) {
                all.add(subscriber);
            }
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (NodeSubscriber subscriber : all) {
            closing.add(inBackground(() -> subscriber.close("source closed")));
        }
        await(CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)), "closing the subscriptions",
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
        if (sentinelWatch != null) {
            sentinelWatch.eventsEnabled(enabled);
        }
    }

    // ---------------------------------------------------------------------------------------------- connecting

    static ClientOptions clientOptions(RedisSourceConfig config) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(config.connectTimeout())
                        .keepAlive(SocketOptions.KeepAliveOptions.builder()
                                .enable()
                                .idle(KEEPALIVE_IDLE)
                                .interval(KEEPALIVE_INTERVAL)
                                .count(KEEPALIVE_COUNT)
                                .build())
                        .build())
                .build();
    }

    static RedisURI redisUri(RedisSourceConfig config) {
        RedisURI.Builder builder;
        if (config.standalone().isPresent()) {
            RedisSourceConfig.Standalone server = config.standalone().get();
            builder = RedisURI.builder().withHost(server.host()).withPort(server.port()).withSsl(server.tls())
                    .withDatabase(server.database());
            if (config.password().isPresent()) {
                char[] password = config.password().get().reveal().toCharArray();
                if (server.username().isPresent()) {
                    builder.withAuthentication(server.username().get(), password);
                } else {
                    builder.withPassword(password);
                }
            }
        } else {
            RedisSourceConfig.Sentinel sentinel = config.sentinel().orElseThrow();
            builder = RedisURI.builder().withSentinelMasterId(sentinel.masterName());
            String sentinelPassword = sentinel.password().map(RedisSourceConfig.Secret::reveal).orElse(null);
            for (HostAndPort node : sentinel.nodes()) {
                builder.withSentinel(node.host(), node.port(), sentinelPassword);
            }
            config.password().ifPresent(password -> builder.withPassword(password.reveal().toCharArray()));
        }
        return builder.withClientName(config.clientName()).withTimeout(config.connectTimeout()).build();
    }

    /** The URI of one fixed data node (every-node mode): no Sentinel look-up, the data nodes' password. */
    static RedisURI nodeUri(RedisSourceConfig config, String node) {
        HostAndPort address = HostAndPort.parse(node);
        RedisURI.Builder builder = RedisURI.builder().withHost(address.host()).withPort(address.port());
        config.password().ifPresent(password -> builder.withPassword(password.reveal().toCharArray()));
        return builder.withClientName(config.clientName()).withTimeout(config.connectTimeout()).build();
    }

    private NodeSubscriber newSubscriber(RedisURI uri, String fixedNode, String target) {
        return new NodeSubscriber(config, resources, timer, clock, registry::snapshot, uri, fixedNode, target,
                reconnectDelay, owner);
    }

    private void awaitFirstAttempt(CompletableFuture<?> firstAttempt) {
        int lookups = config.sentinel().map(s -> s.nodes().size()).orElse(0);
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

    private NodeSubscriber masterSubscriber() {
        String current = roleMaster != null ? roleMaster : master;
        if (current == null) {
            return null;
        }
        synchronized (topology) {
            return nodes.get(current);
        }
    }

    private List<NodeSubscriber> subscribers() {
        if (!config.everyNode()) {
            NodeSubscriber current = single;
            return current == null ? List.of() : List.of(current);
        }
        synchronized (topology) {
            return List.copyOf(nodes.values());
        }
    }

    /** Every open connection: the current ones and the replacements under way (ticks, registry changes, events). */
    private List<NodeSubscriber> allConnections() {
        List<NodeSubscriber> current = subscribers();
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
        String address = NodeSubscriber.format(failed.remoteAddress());
        if (config.sentinel().map(s -> s.nodes().stream().anyMatch(n -> n.toString().equals(address))).orElse(false)) {
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
                    && !handover.overlap.receive(from == handover.old ? "old" : "new", pattern, channel, text)) {
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
        NodeSubscriber target;
        if (!config.everyNode()) {
            target = single;
        } else {
            synchronized (topology) {
                target = nodes.get(node);
            }
        }
        if (target != null) {
            replace(target, "watchdog: " + reason);
        }
        if (config.everyNode()) {
            requestReconcile();
        }
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
        synchronized (topology) {
            Handover running = handovers.get(old);
            boolean underWay = running != null && !running.abandoned && !(running.promoted && running.fresh == old);
            if (underWay || !isCurrent(old)) {
                log.debug("Redis source: replacement of {} already under way or superseded ({})", old, reason);
                return;
            }
            NodeSubscriber fresh = newSubscriber(old.uri(), old.fixedNode().orElse(null), old.target());
            handover = new Handover(old, fresh, reason,
                    new MessageDeduplicator(clock, config.dedupWindow(), config.dedupMaxEntries()));
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

    /** Whether {@code subscriber} is the live one for its node (not replaced, not removed). */
    private boolean isCurrent(NodeSubscriber subscriber) {
        if (!config.everyNode()) {
            return single == subscriber;
        }
        return subscriber.fixedNode().map(node -> nodes.get(node) == subscriber).orElse(false);
    }

    /** The new connection is confirmed: it takes the old one's place, then the old one is closed. */
    private void promote(Handover handover) {
        synchronized (topology) {
            if (handover.promoted || handover.abandoned || closed) {
                return;
            }
            if (!isCurrent(handover.old)) {
                handover.abandoned = true;
            } else {
                handover.fresh.continueCountFrom(handover.old);
                if (!config.everyNode()) {
                    single = handover.fresh;
                } else {
                    nodes.put(handover.old.fixedNode().orElseThrow(), handover.fresh);
                }
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
        synchronized (topology) {
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
        inBackground(() -> loser.close(why)).whenComplete((ignored, error) -> {
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
            round = config.everyNode() ? reconcileEveryNode() : reconcileSingle();
        } catch (RuntimeException e) {
            round = CompletableFuture.failedFuture(e);
        }
        round.whenComplete((ignored, error) -> {
            if (error != null && !closed) {
                log.warn("Redis source: reconcile failed: {}", NodeSubscriber.describe(NodeSubscriber.unwrap(error)));
            }
            reconcileRunning.set(false);
            firstReconcile.complete(null);
            if (reconcileAgain.getAndSet(false)) {
                requestReconcile();
            }
        });
    }

    private CompletableFuture<Void> reconcileEveryNode() {
        sentinelWatch.ensureEventSubscriptions();
        return sentinelWatch.query()
                .thenApplyAsync(this::applyTopology, timer)
                .thenCompose(view -> view == null ? CompletableFuture.completedFuture(null) : checkNodes(view));
    }

    /** Every-node mode: follow Sentinel's view (master, replicas); returns null when no sentinel answered. */
    private SentinelWatch.View applyTopology(SentinelWatch.View view) {
        if (closed) {
            return null;
        }
        if (view.master().isEmpty()) {
            String why = "no sentinel answered (" + view.summary() + "); keeping the subscriptions we have";
            if (!why.equals(masterReason)) {
                log.warn("Redis source: {}", why);
            }
            masterReason = why;
            if (master == null) {
                try {   // nothing known yet: try again soon rather than after a whole reconcile interval
                    timer.schedule(this::requestReconcile, config.reconnectDelayMax().toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
            return null;
        }
        String named = view.master().get();
        String previous = master;
        List<NodeSubscriber> toStart = new ArrayList<>();
        List<NodeSubscriber> toClose = new ArrayList<>();
        synchronized (topology) {
            Set<String> wanted = new LinkedHashSet<>();
            wanted.add(named);
            wanted.addAll(view.replicas());
            for (NodeSubscriber subscriber : nodes.values()) {
                String node = subscriber.fixedNode().orElseThrow();
                if (!wanted.contains(node) && subscriber.role() == NodeRole.MASTER) {
                    wanted.add(node);   // a former master Sentinel no longer lists, not seen demoted: keep it
                }
            }
            for (String node : wanted) {
                if (!nodes.containsKey(node)) {
                    NodeSubscriber subscriber = newSubscriber(nodeUri(config, node), node, node);
                    nodes.put(node, subscriber);
                    toStart.add(subscriber);
                    log.info("Redis source: subscribing on {} ({} per Sentinel)", node,
                            node.equals(named) ? "master" : "replica");
                }
            }
            for (var it = nodes.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                if (!wanted.contains(entry.getKey())) {
                    it.remove();
                    toClose.add(entry.getValue());
                }
            }
            master = named;
            masterReason = "Sentinel names " + named + " master (" + view.answered() + " sentinel(s) answered, epoch "
                    + view.configEpoch() + ")";
        }
        for (NodeSubscriber subscriber : toStart) {
            subscriber.start();
        }
        for (NodeSubscriber subscriber : toClose) {
            inBackground(() -> subscriber.close("stopped the subscription on "
                    + subscriber.fixedNode().orElse("?") + ": no answering sentinel lists it any more and it was not"
                    + " last seen as master"));
        }
        if (!named.equals(previous)) {
            masterSince = clock.instant();
            NodeSubscriber onMaster = masterSubscriber();
            if (onMaster != null) {
                onMaster.role(NodeRole.MASTER, "Sentinel names it master");
            }
            log.info("Redis source: Sentinel names {} master{}; the relay's subscription is now the one on it ({})",
                    named, previous == null ? "" : " (was " + previous + ")", status().state());
            notifyListeners(status());
        }
        return view;
    }

    /** Every-node mode: ROLE on every node, then CLIENT INFO re-checks and repairs. */
    private CompletableFuture<Void> checkNodes(SentinelWatch.View view) {
        List<NodeSubscriber> all = subscribers();
        Map<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> roles = new LinkedHashMap<>();
        Map<NodeSubscriber, Long> asked = new java.util.HashMap<>();
        for (NodeSubscriber subscriber : all) {
            asked.put(subscriber, subscriber.roleVersion());
            roles.put(subscriber, subscriber.queryRole(config.connectTimeout()));
        }
        return CompletableFuture.allOf(roles.values().toArray(CompletableFuture[]::new)).thenAcceptAsync(ignored -> {
            String named = view.master().orElse(null);
            // a newer answer recorded meanwhile (a reconnect asks ROLE at once) beats this round's: the round waited
            // for its slowest node (a frozen one takes connect-timeout), so its answers may be stale by then
            roles.replaceAll((subscriber, answer) -> subscriber.roleVersion() != asked.get(subscriber)
                    ? CompletableFuture.completedFuture(Optional.empty()) : answer);
            followRoleMaster(named, roles);
            for (Map.Entry<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> entry : roles.entrySet()) {
                NodeSubscriber subscriber = entry.getKey();
                if (subscriber.isClosed()) {
                    continue;
                }
                String node = subscriber.fixedNode().orElseThrow();
                Optional<NodeRole> seen = entry.getValue().getNow(Optional.empty());
                NodeRole bySentinel = node.equals(named) ? NodeRole.MASTER
                        : view.replicas().contains(node) ? NodeRole.REPLICA : null;
                NodeRole before = subscriber.role();
                NodeRole now = seen.orElse(bySentinel != null ? bySentinel : before);
                if (subscriber.role(now, seen.isPresent() ? "ROLE on the node" : "Sentinel's lists")
                        && seen.isPresent() && before != NodeRole.UNKNOWN) {
                    replace(subscriber, "reconcile: ROLE on " + node + " now says " + now + " (was " + before
                            + "); subscribing the registry again");
                    continue;
                }
                if (seen.isPresent() && bySentinel != null && seen.get() != bySentinel
                        && roleMismatches.add(node + " " + bySentinel + " " + seen.get())) {
                    log.info("Redis source: Sentinel sees {} as {} but its ROLE says {} (not demoted yet?)", node,
                            bySentinel, seen.get());
                }
                repair(subscriber);
            }
        }, timer);
    }

    /**
     * When the node Sentinel names master reports ROLE replica and exactly one other subscribed node reports ROLE
     * master, that node's subscription is the relay's health until Sentinel catches up (logged once each way).
     */
    private void followRoleMaster(String named, Map<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> roles) {
        String candidate = null;
        boolean namedIsReplica = false;
        int reportingMaster = 0;
        for (Map.Entry<NodeSubscriber, CompletableFuture<Optional<NodeRole>>> entry : roles.entrySet()) {
            String node = entry.getKey().fixedNode().orElse(null);
            Optional<NodeRole> seen = entry.getValue().getNow(Optional.empty());
            if (node == null || seen.isEmpty()) {
                continue;
            }
            if (node.equals(named)) {
                namedIsReplica = seen.get() == NodeRole.REPLICA;
            } else if (seen.get() == NodeRole.MASTER) {
                reportingMaster++;
                candidate = node;
            }
        }
        String next = namedIsReplica && reportingMaster == 1 ? candidate : null;
        String before = roleMaster;
        if (java.util.Objects.equals(before, next)) {
            return;
        }
        roleMaster = next;
        if (next != null) {
            log.info("Redis source: Sentinel still names {} master but its ROLE says replica, and {} says master; "
                    + "the relay's health follows {} until Sentinel catches up", named, next, next);
        } else {
            log.info("Redis source: Sentinel and ROLE agree again ({} is master)", named);
        }
        notifyListeners(status());
    }

    /** Standalone and master mode: role and CLIENT INFO checks; master mode: also leave a node that is not master. */
    private CompletableFuture<Void> reconcileSingle() {
        NodeSubscriber subscriber = single;
        if (subscriber == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Optional<String>> named = CompletableFuture.completedFuture(Optional.empty());
        if (sentinelWatch != null) {
            sentinelWatch.ensureEventSubscriptions();
            named = sentinelWatch.query().thenApply(SentinelWatch.View::master);
        }
        CompletableFuture<Optional<NodeRole>> role = subscriber.queryRole(config.connectTimeout());
        return named.thenCombine(role, (masterNamed, seen) -> {
            seen.ifPresent(r -> subscriber.role(r, "ROLE on the node"));
            if (subscriber.state() == SubscriptionState.RESOLVING) {
                return null;
            }
            String node = subscriber.node();
            if (masterNamed.isPresent() && !masterNamed.get().equals(node)) {
                subscriber.drop("reconcile: Sentinel names " + masterNamed.get() + " master but this subscription is"
                        + " on " + node + "; reconnecting (the master is looked up again)");
            } else if (sentinelWatch != null && seen.isPresent() && seen.get() == NodeRole.REPLICA) {
                subscriber.drop("reconcile: ROLE on " + node + " says replica; reconnecting (the master is looked up"
                        + " again)");
            } else {
                repair(subscriber);
            }
            return null;
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

    /** Runs a blocking step (a bounded close) on its own daemon thread, never on an I/O thread or the timer. */
    private static CompletableFuture<Void> inBackground(Runnable step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        }, "alert-relay-redis-source-close");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    static void await(CompletableFuture<?> future, String what) {
        await(future, what, CLOSE_TIMEOUT);
    }

    private static void await(CompletableFuture<?> future, String what, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Redis source: {} did not finish cleanly: {}", what, e.toString());
        }
    }

    /** Remembers the open pub/sub Netty channels, so a missed PING deadline or the reconcile can close one. */
    private final class ChannelTracker implements NettyCustomizer {
        @Override
        public void afterChannelInitialized(Channel channel) {
            if (channel.pipeline().get(PubSubCommandHandler.class) != null) {
                pubSubChannels.add(channel);
                channel.closeFuture().addListener(future -> pubSubChannels.remove(channel));
            }
        }
    }

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
            return List.copyOf(pubSubChannels);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }
}
