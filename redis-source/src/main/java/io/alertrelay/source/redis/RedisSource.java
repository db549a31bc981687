package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.source.redis.SubscriptionTracker.Command;
import io.alertrelay.source.redis.SubscriptionTracker.Plan;
import io.alertrelay.source.redis.SubscriptionTracker.Transition;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import io.alertrelay.spi.Source;
import io.alertrelay.spi.Subscription;
import io.alertrelay.spi.SubscriptionRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionState;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.PubSubCommandHandler;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The Redis {@link Source}: one Lettuce pub/sub connection to a standalone server or to the master named by Sentinel,
 * that keeps every entry of the {@link SubscriptionRegistry} subscribed through reconnects and failovers.
 *
 * <p>On <em>every</em> (re)connect, which in Sentinel mode re-resolves the master first, it re-issues SUBSCRIBE and
 * PSUBSCRIBE for the registry's snapshot (besides Lettuce's own replay of what it knew), and counts the server's
 * acknowledgements until every registry entry, and nothing else, is confirmed ({@link SubscriptionState#SUBSCRIBED});
 * then it checks {@code CLIENT INFO} on the same connection ({@link SubscriptionState#VERIFIED}). It follows registry
 * changes on the live connection, and PINGs the connection every {@code ping-interval}: with no PONG within
 * {@code ping-timeout} it drops the connection so the client reconnects (a frozen or partitioned master sends no reset).
 *
 * <p>Threading: messages reach the {@link MessageHandler} on Lettuce's I/O thread; state listeners are called on the
 * thread that caused the transition (I/O, registry caller, or the source's timer). Neither may block. The source never
 * blocks an I/O thread: every command is sent asynchronously.
 *
 * <p>Construct it directly ({@link #create}, or the constructors); no dependency injection is needed.
 */
public final class RedisSource implements Source {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    /** How long {@link #close()} waits for the unsubscribe, the connection close and each shutdown step. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    /** TCP keepalive on every connection: first probe after this idle time. */
    public static final Duration KEEPALIVE_IDLE = Duration.ofSeconds(30);
    /** TCP keepalive: time between probes. */
    public static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
    /** TCP keepalive: unanswered probes before the kernel drops the connection. */
    public static final int KEEPALIVE_COUNT = 3;

    private final RedisSourceConfig config;
    private final SubscriptionRegistry registry;
    private final Clock clock;
    private final SubscriptionTracker tracker;
    private final ReconnectDelay reconnectDelay;
    private final List<Consumer<SourceStatus>> stateListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Channel> pubSubChannel = new AtomicReference<>();
    private final AtomicReference<PendingPing> pendingPing = new AtomicReference<>();
    private final AtomicReference<String> dropReason = new AtomicReference<>();
    private final PubSubListener pubSubListener = new PubSubListener();

    private final Object lifecycle = new Object();
    private boolean started;
    private volatile boolean closed;
    private volatile MessageHandler handler;
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    private volatile String node = "unknown";
    private ClientResources resources;
    private RedisClient client;
    private ScheduledExecutorService timer;
    private Disposable eventSubscription;

    public RedisSource(RedisSourceConfig config, SubscriptionRegistry registry) {
        this(config, registry, Clock.systemUTC());
    }

    /** {@code clock} stamps {@link InboundMessage#receivedAt()} and {@link SourceStatus#since()}. */
    public RedisSource(RedisSourceConfig config, SubscriptionRegistry registry, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.tracker = new SubscriptionTracker(clock, registry::snapshot);
        this.reconnectDelay = new ReconnectDelay(config.reconnectDelayMax());
    }

    public static RedisSource create(RedisSourceConfig config, SubscriptionRegistry registry, Clock clock) {
        return new RedisSource(config, registry, clock);
    }

    /**
     * Connects and subscribes the registry. Returns after the first connection attempt finished (bounded by the
     * connect timeout); when it failed, the source keeps retrying in the background (see {@link #status()}).
     *
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    @Override
    public void start(MessageHandler handler) {
        requireNonNull(handler, "handler is null");
        CompletableFuture<Void> firstAttempt;
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("Redis source is closed");
            }
            if (started) {
                throw new IllegalStateException("Redis source is already started");
            }
            started = true;
            this.handler = handler;
            log.info("Starting Redis source: {}", config);
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
            client = RedisClient.create(resources);
            client.setOptions(clientOptions(config));
            client.addListener(new ConnectionListener());
            registry.addListener(snapshot -> onRegistryChanged());
            firstAttempt = connect(redisUri(config), 1);
            long period = config.pingInterval().toNanos();
            timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.NANOSECONDS);
        }
        awaitFirstAttempt(firstAttempt);
    }

    /** Where the subscriber connection stands now. */
    public SourceStatus status() {
        return tracker.status();
    }

    /**
     * Calls {@code listener} with the new status after every state transition (each also logged once at INFO). Called
     * on the thread that caused it; must not block.
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
        return "Redis " + config.redactedTarget() + " as '" + config.clientName() + "': " + status.state()
                + status.node().map(n -> " on " + n).orElse("") + " (" + status.reason() + "), registry "
                + registry.snapshot();
    }

    /** Unsubscribes, closes the connection and shuts the client down, each step bounded by {@link #CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        SourceStatus before = tracker.status();
        boolean wasStarted;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            wasStarted = started;
        }
        Plan plan;
        synchronized (tracker) {
            plan = tracker.close();
        }
        report(plan);
        if (!wasStarted) {
            return;
        }
        timer.shutdownNow();
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (conn != null) {
            if (conn.isOpen() && before.state() != SubscriptionState.RESOLVING) {
                unsubscribeAll(conn, before);
            }
            await(conn.closeAsync(), "closing the connection");
        }
        try {
            client.shutdown(Duration.ZERO, CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("Redis client did not shut down cleanly: {}", e.toString());
        }
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

    /** One attempt at the first connection; on failure the next is scheduled. Never completes exceptionally. */
    private CompletableFuture<Void> connect(RedisURI uri, int attempt) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> future;
        try {
            future = client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return future.handle((conn, error) -> {
            if (error == null) {
                if (closed) {
                    conn.closeAsync();
                }
                return null;
            }
            String why = "connection attempt " + attempt + " to " + config.redactedTarget() + " failed: "
                    + describe(unwrap(error));
            tracker.note(why);
            if (attempt == 1 || attempt % 100 == 0) {
                log.warn("{}; retrying in the background", why);
            } else {
                log.debug(why);
            }
            if (!closed) {
                try {
                    timer.schedule(() -> connect(uri, attempt + 1),
                            reconnectDelay.createDelay(attempt + 1).toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closed meanwhile
                }
            }
            return null;
        });
    }

    private void awaitFirstAttempt(CompletableFuture<Void> firstAttempt) {
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

    private void onConnected(StatefulRedisPubSubConnection<String, String> conn, SocketAddress address) {
        if (connection != conn) {
            conn.addListener(pubSubListener);   // before any reply is read: this runs inside channelActive
            connection = conn;
        }
        node = format(address);
        pendingPing.set(null);
        dropReason.set(null);
        ProtocolVersion protocol = negotiatedProtocol(conn);
        boolean canVerify = protocol == ProtocolVersion.RESP3;
        Plan plan;
        synchronized (tracker) {
            plan = tracker.connected(node, canVerify);
            send(conn, plan);
        }
        report(plan);
        if (!canVerify) {
            log.info("Redis source: {} negotiated {} on {}; CLIENT INFO is not allowed on a subscribed RESP2 connection,"
                    + " so this connection is confirmed by acknowledgements only (stays SUBSCRIBED)",
                    config.clientName(), protocol, node);
        }
    }

    private void onDisconnected() {
        pendingPing.set(null);
        String reason = dropReason.getAndSet(null);
        Plan plan;
        synchronized (tracker) {
            plan = tracker.disconnected(reason != null ? reason : "lost the connection to " + node);
        }
        report(plan);
    }

    private void onAcknowledged(Subscription subscription, boolean subscribed, long count) {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        Plan plan;
        synchronized (tracker) {
            plan = tracker.acknowledged(subscription, subscribed, count);
            send(conn, plan);
        }
        report(plan);
    }

    private void onRegistryChanged() {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (closed || conn == null) {
            return;
        }
        Plan plan;
        synchronized (tracker) {
            plan = tracker.registryChanged();
            send(conn, plan);
        }
        report(plan);
    }

    private void onClientInfo(StatefulRedisPubSubConnection<String, String> conn, long epoch, long token, String info,
            Throwable error) {
        Plan plan;
        synchronized (tracker) {
            if (error != null) {
                Throwable cause = unwrap(error);
                plan = cause instanceof RedisCommandExecutionException
                        ? tracker.verificationRejected(epoch, token, describe(cause))
                        : tracker.verificationFailed(epoch, token, describe(cause));
            } else {
                Optional<long[]> counts = ClientInfo.subscriptionCounts(info);
                plan = counts.isPresent()
                        ? tracker.verified(epoch, token, counts.get()[0], counts.get()[1])
                        : tracker.verificationFailed(epoch, token, "no sub=/psub= fields in CLIENT INFO");
            }
            send(conn, plan);
        }
        report(plan);
    }

    private void onEvent(Event event) {
        if (event instanceof ReconnectFailedEvent failed && !closed) {
            String why = "reconnect attempt " + failed.getAttempt() + " failed: " + describe(unwrap(failed.getCause()));
            tracker.note(why);
            log.debug("Redis source: {}", why);
        }
    }

    /** Periodic, on the source's timer: a due verification, then the PING deadline check. */
    private void tick() {
        try {
            StatefulRedisPubSubConnection<String, String> conn = connection;
            if (closed || conn == null) {
                return;
            }
            Plan plan;
            long epoch;
            boolean connected;
            synchronized (tracker) {
                plan = tracker.tick();
                send(conn, plan);
                epoch = tracker.epoch();
                connected = tracker.isConnected();
            }
            report(plan);
            if (connected) {
                ping(conn, epoch);
            }
        } catch (RuntimeException e) {
            log.warn("Redis source timer task failed", e);   // keep the schedule alive
        }
    }

    private void ping(StatefulRedisPubSubConnection<String, String> conn, long epoch) {
        PendingPing current = pendingPing.get();
        if (current != null && current.epoch() == epoch) {
            return;   // still waiting; its deadline task decides
        }
        PendingPing ping = new PendingPing(epoch, node);
        if (!pendingPing.compareAndSet(current, ping)) {
            return;
        }
        conn.async().ping().whenComplete((pong, error) -> {
            if (error == null || unwrap(error) instanceof RedisCommandExecutionException) {
                pendingPing.compareAndSet(ping, null);   // the server answered: it is alive
            }
        });
        timer.schedule(() -> checkPing(ping), config.pingTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void checkPing(PendingPing ping) {
        if (closed || pendingPing.get() != ping) {
            return;
        }
        pendingPing.compareAndSet(ping, null);
        if (tracker.epoch() != ping.epoch()) {
            return;   // that connection is gone already
        }
        String why = "no PONG from " + ping.node() + " within " + config.pingTimeout()
                + " (frozen or partitioned server?); dropped the connection to reconnect";
        log.warn("Redis source: {}", why);
        dropReason.set(why);
        Channel channel = pubSubChannel.get();
        if (channel != null) {
            channel.close();   // Lettuce's watchdog reconnects, re-resolving the master through Sentinel
        }
    }

    private void deliver(String channel, Optional<String> pattern, String payload) {
        MessageHandler target = handler;
        if (closed || target == null) {
            return;
        }
        try {
            target.onMessage(new InboundMessage(channel, pattern, payload == null ? "" : payload, node, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("Message handler failed on a message from channel {} ({}); continuing", channel, node, e);
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Sends the plan's commands, then its CLIENT INFO. Called holding the tracker's monitor, so order is kept. */
    private void send(StatefulRedisPubSubConnection<String, String> conn, Plan plan) {
        if (conn == null || closed || (plan.commands().isEmpty() && !plan.verify())) {
            return;
        }
        try {
            RedisPubSubAsyncCommands<String, String> commands = conn.async();
            List<Command> run = new ArrayList<>();
            for (Command command : plan.commands()) {
                if (!run.isEmpty() && (run.get(0).action() != command.action() || run.get(0).kind() != command.kind())) {
                    sendRun(commands, run);
                    run.clear();
                }
                run.add(command);
            }
            if (!run.isEmpty()) {
                sendRun(commands, run);
            }
            if (plan.verify()) {
                long epoch = plan.epoch();
                long token = plan.verifyToken();
                commands.clientInfo().whenComplete((info, error) -> onClientInfo(conn, epoch, token, info, error));
            }
        } catch (RuntimeException e) {
            log.warn("Redis source could not send {} (will reconcile on the next acknowledgement or reconnect): {}",
                    plan.commands(), e.toString());
        }
    }

    private void sendRun(RedisPubSubAsyncCommands<String, String> commands, List<Command> run) {
        String[] names = run.stream().map(Command::name).toArray(String[]::new);
        Command first = run.get(0);
        RedisFuture<Void> future = switch (first.action()) {
            case SUBSCRIBE -> first.kind() == Subscription.Kind.PATTERN
                    ? commands.psubscribe(names) : commands.subscribe(names);
            case UNSUBSCRIBE -> first.kind() == Subscription.Kind.PATTERN
                    ? commands.punsubscribe(names) : commands.unsubscribe(names);
        };
        String what = first.action() + " " + first.kind().name().toLowerCase(Locale.ROOT) + " " + List.of(names);
        future.whenComplete((ignored, error) -> {
            if (error == null) {
                return;
            }
            Throwable cause = unwrap(error);
            if (cause instanceof RedisCommandExecutionException) {
                log.warn("Redis source: {} rejected by {}: {}", what, node, cause.getMessage());
            } else {
                log.debug("Redis source: {} did not complete: {}", what, cause.toString());
            }
        });
    }

    private void report(Plan plan) {
        for (String warning : plan.warnings()) {
            log.warn("Redis source: {}", warning);
        }
        for (Transition transition : plan.transitions()) {
            SourceStatus status = transition.status();
            log.info("Redis source {} -> {}{}: {}", transition.from(), status.state(),
                    status.node().map(n -> " on " + n).orElse(""), status.reason());
            for (Consumer<SourceStatus> listener : stateListeners) {
                try {
                    listener.accept(status);
                } catch (RuntimeException e) {
                    log.warn("Redis source state listener {} failed", listener, e);
                }
            }
        }
    }

    private void unsubscribeAll(StatefulRedisPubSubConnection<String, String> conn, SourceStatus before) {
        String[] channels = before.acknowledged().stream().filter(s -> s.kind() == Subscription.Kind.CHANNEL)
                .map(Subscription::name).toArray(String[]::new);
        String[] patterns = before.acknowledged().stream().filter(s -> s.kind() == Subscription.Kind.PATTERN)
                .map(Subscription::name).toArray(String[]::new);
        try {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            if (channels.length > 0) {
                pending.add(conn.async().unsubscribe(channels).toCompletableFuture());
            }
            if (patterns.length > 0) {
                pending.add(conn.async().punsubscribe(patterns).toCompletableFuture());
            }
            await(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)), "unsubscribing");
        } catch (RuntimeException e) {
            log.debug("Redis source: unsubscribe on close failed: {}", e.toString());
        }
    }

    private static void await(CompletableFuture<?> future, String what) {
        try {
            future.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Redis source: {} did not finish cleanly: {}", what, e.toString());
        }
    }

    private static ProtocolVersion negotiatedProtocol(StatefulRedisPubSubConnection<String, String> conn) {
        if (conn instanceof StatefulRedisConnectionImpl<?, ?> impl) {
            ConnectionState state = impl.getConnectionState();
            if (state != null && state.getNegotiatedProtocolVersion() != null) {
                return state.getNegotiatedProtocolVersion();
            }
        }
        return ProtocolVersion.RESP2;   // unknown: do not risk a command a RESP2 subscriber may not send
    }

    private static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return new HostAndPort(inet.getHostString(), inet.getPort()).toString();
        }
        return String.valueOf(address);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        String message = error.getMessage();
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return root == error ? text : text + " (" + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
    }

    private record PendingPing(long epoch, String node) {}

    /** Remembers the pub/sub connection's current Netty channel, so a missed PING deadline can close it. */
    private final class ChannelTracker implements NettyCustomizer {
        @Override
        public void afterChannelInitialized(Channel channel) {
            if (channel.pipeline().get(PubSubCommandHandler.class) != null) {
                pubSubChannel.set(channel);
            }
        }
    }

    /** Connect/disconnect of the pub/sub connection (the client's Sentinel look-up connections are ignored). */
    private final class ConnectionListener implements RedisConnectionStateListener {
        @Override
        @SuppressWarnings("unchecked")
        public void onRedisConnected(RedisChannelHandler<?, ?> conn, SocketAddress address) {
            if (closed || !(conn instanceof StatefulRedisPubSubConnection<?, ?>)) {
                return;
            }
            try {
                onConnected((StatefulRedisPubSubConnection<String, String>) conn, address);
            } catch (RuntimeException e) {
                log.error("Redis source failed to handle a new connection to {}", address, e);
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> conn) {
            if (closed || conn != connection) {
                return;
            }
            try {
                onDisconnected();
            } catch (RuntimeException e) {
                log.error("Redis source failed to handle a disconnect", e);
            }
        }
    }

    /** Messages and the server's (un)subscribe acknowledgements. Runs on the I/O thread. */
    private final class PubSubListener implements RedisPubSubListener<String, String> {
        @Override
        public void message(String channel, String message) {
            deliver(channel, Optional.empty(), message);
        }

        @Override
        public void message(String pattern, String channel, String message) {
            deliver(channel, Optional.ofNullable(pattern), message);
        }

        @Override
        public void subscribed(String channel, long count) {
            acknowledged(Subscription.Kind.CHANNEL, channel, true, count);
        }

        @Override
        public void psubscribed(String pattern, long count) {
            acknowledged(Subscription.Kind.PATTERN, pattern, true, count);
        }

        @Override
        public void unsubscribed(String channel, long count) {
            acknowledged(Subscription.Kind.CHANNEL, channel, false, count);
        }

        @Override
        public void punsubscribed(String pattern, long count) {
            acknowledged(Subscription.Kind.PATTERN, pattern, false, count);
        }

        private void acknowledged(Subscription.Kind kind, String name, boolean subscribed, long count) {
            if (closed || name == null || name.isEmpty()) {
                return;
            }
            try {
                onAcknowledged(new Subscription(kind, name), subscribed, count);
            } catch (RuntimeException e) {
                log.error("Redis source failed to handle an acknowledgement for {}", name, e);
            }
        }
    }
}
