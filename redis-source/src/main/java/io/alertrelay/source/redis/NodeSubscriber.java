package io.alertrelay.source.redis;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.source.redis.SubscriptionTracker.Command;
import io.alertrelay.source.redis.SubscriptionTracker.Plan;
import io.alertrelay.spi.Subscription;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce pub/sub connection of the source and its {@link SubscriptionTracker}: either to one fixed data node
 * (standalone, or every-node mode), or to the master Sentinel names (master mode: Lettuce re-resolves it on every
 * reconnect). It subscribes the registry on every (re)connect, follows registry changes, verifies with CLIENT INFO,
 * PINGs with a deadline, and can be told by the reconcile to re-check, resubscribe, or drop its connection.
 *
 * <p>Never blocks an I/O thread. Thread-safe.
 */
final class NodeSubscriber {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    /** What the subscriber needs from its source. */
    interface Owner {
        void message(NodeSubscriber from, String channel, Optional<String> pattern, String payload);

        void report(NodeSubscriber from, Plan plan);

        /** The currently open pub/sub Netty channels of the source's client resources. */
        List<Channel> pubSubChannels();

        boolean isClosed();
    }

    private final RedisSourceConfig config;
    private final ScheduledExecutorService timer;
    private final RedisURI uri;
    private final String fixedNode;
    private final String target;
    private final ReconnectDelay reconnectDelay;
    private final Owner owner;
    private final SubscriptionTracker tracker;
    private final RedisClient client;
    private final Listener listener = new Listener();
    private final PingDeadline pingDeadline;
    /** Messages read on this subscriber's connections (one I/O thread at a time writes it). */
    private volatile long messagesRead;
    /**
     * Every-node mode: when a fixed node stops answering PING, its connection is kept open for up to this long (the
     * subscription marked SUBSCRIBED, not VERIFIED), because other nodes carry the new master meanwhile and a frozen
     * master that resumes still delivers what it acknowledged to the subscribers it has. After it, the connection is
     * dropped and the node retried as it comes back.
     */
    static final Duration UNRESPONSIVE_GRACE = Duration.ofSeconds(30);
    /** When a connection attempt to this subscriber's node last failed (null: never). */
    private volatile java.time.Instant lastConnectFailure;
    /** For a replica: the master it replicates from and whether its link is up, from ROLE on the node. */
    private volatile String replicaOf;
    private volatile boolean replicationLinkUp;
    /** Whether ROLE answered on the current connection (cleared on disconnect): the role is not a stale memory. */
    private volatile boolean roleConfirmed;
    private volatile long roleVersion;
    private final Clock clock;
    private final AtomicReference<String> dropReason = new AtomicReference<>();
    private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();
    /** Unique among this JVM's subscribers: names this connection in make-before-break deduplication. */
    final String serial = "c" + SERIALS.incrementAndGet();

    private volatile boolean closed;
    private volatile boolean canVerify;
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    private volatile String node = "unknown";
    private volatile CompletableFuture<Void> firstAttempt = CompletableFuture.completedFuture(null);

    /**
     * @param fixedNode the node's {@code host:port} when {@code uri} names one fixed node; {@code null} for a Sentinel
     *                  URI (master mode)
     * @param target    how to name the target in messages (redacted)
     */
    NodeSubscriber(RedisSourceConfig config, ClientResources resources, ScheduledExecutorService timer, Clock clock,
            Supplier<Set<Subscription>> desired, RedisURI uri, String fixedNode, String target,
            ReconnectDelay reconnectDelay, Owner owner) {
        this.config = config;
        this.timer = timer;
        this.uri = uri;
        this.fixedNode = fixedNode;
        this.target = target;
        this.reconnectDelay = reconnectDelay;
        this.owner = owner;
        this.tracker = new SubscriptionTracker(clock, desired, fixedNode);
        this.clock = clock;
        this.pingDeadline = new PingDeadline(clock, config.pingTimeout(),
                fixedNode != null ? UNRESPONSIVE_GRACE : Duration.ZERO);
        if (fixedNode != null) {
            node = fixedNode;
        }
        this.client = RedisClient.create(resources);
        client.setOptions(LettuceSupport.clientOptions(config));
        client.addListener(new ConnectionListener());
    }

    /** The first connection attempt; on failure, retries in the background. The future never fails. */
    CompletableFuture<Void> start() {
        firstAttempt = connect(1);
        return firstAttempt;
    }

    /** The first connection attempt of {@link #start()} (completed before it). */
    CompletableFuture<Void> firstAttempt() {
        return firstAttempt;
    }

    RedisURI uri() {
        return uri;
    }

    String target() {
        return target;
    }

    /** Whether the subscription is as confirmed as it can get (see {@link SubscriptionTracker#confirmed()}). */
    boolean confirmed() {
        return tracker.confirmed();
    }

    /** When a connection attempt last failed, if ever (source clock). */
    Optional<java.time.Instant> lastConnectFailure() {
        return Optional.ofNullable(lastConnectFailure);
    }

    /** For a node last seen as a replica: its master ({@code host:port}) as ROLE names it. */
    Optional<String> replicaOf() {
        return tracker.role() == NodeRole.REPLICA ? Optional.ofNullable(replicaOf) : Optional.empty();
    }

    /** For a node last seen as a replica: whether ROLE said its link to the master is up ({@code connected}). */
    boolean replicationLinkUp() {
        return tracker.role() == NodeRole.REPLICA && replicationLinkUp;
    }

    /** Takes over the resubscribe count of the connection this one replaces (make-before-break), plus one. */
    void continueCountFrom(NodeSubscriber replaced) {
        tracker.continueCountFrom(replaced.status().resubscribeCount());
        if (replaced.node().equals(node)) {
            tracker.role(replaced.role());   // the same node (master mode may land elsewhere: the reconcile tells)
        }
    }

    /** This connection's status as one node of the source. */
    NodeStatus nodeStatus() {
        SourceStatus status = tracker.status();
        return new NodeStatus(status.node().orElse("unknown"), status.role(), status.state(), status.since(),
                status.reason(), status.resubscribeCount(), replicaOf(), replicationLinkUp(), lastConnectFailure(),
                roleConfirmed && status.state() != SubscriptionState.RESOLVING);
    }

    /** The fixed node ({@code host:port}), or empty for a master-mode subscriber. */
    Optional<String> fixedNode() {
        return Optional.ofNullable(fixedNode);
    }

    /** The node currently (or last) connected to. */
    String node() {
        return node;
    }

    SourceStatus status() {
        return tracker.status();
    }

    SubscriptionState state() {
        return tracker.state();
    }

    NodeRole role() {
        return tracker.role();
    }

    /** Records the role as last seen; true (and logged) when it changed. */
    boolean role(NodeRole role, String why) {
        roleVersion++;
        boolean changed = tracker.role(role);
        if (changed) {
            log.info("Redis source: node {} is now seen as {} ({})", node, role, why);
        }
        return changed;
    }

    /** Bumped whenever a role is recorded: an answer to an older question must not overwrite a newer one. */
    long roleVersion() {
        return roleVersion;
    }

    /** Whether the connection negotiated RESP3, so ordinary commands (ROLE, CLIENT INFO) can go on it. */
    boolean canRunCommands() {
        return canVerify && tracker.isConnected();
    }

    // ------------------------------------------------------------------------------------------ driven by the source

    void registryChanged() {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (closed || conn == null) {
            return;
        }
        Plan plan;
        synchronized (tracker) {
            plan = tracker.registryChanged();
            send(conn, plan);
        }
        owner.report(this, plan);
    }

    /** The reconcile: ask CLIENT INFO again on a VERIFIED connection; a mismatch then forces a resubscribe. */
    void recheck() {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (closed || conn == null) {
            return;
        }
        Plan plan;
        synchronized (tracker) {
            plan = tracker.recheck();
            send(conn, plan);
        }
        owner.report(this, plan);
    }

    /** Subscribes the whole registry again on the live connection (reason recorded and logged as a transition). */
    void resubscribe(String why) {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (closed || conn == null) {
            return;
        }
        Plan plan;
        synchronized (tracker) {
            plan = tracker.resubscribe(why);
            send(conn, plan);
        }
        owner.report(this, plan);
    }

    /** {@code ROLE} on the subscribed connection (RESP3 only): the node's role, or empty without an answer. */
    CompletableFuture<Optional<NodeRole>> queryRole(Duration timeout) {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (closed || conn == null || !canRunCommands()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        try {
            return conn.async().role().toCompletableFuture()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((reply, error) -> {
                        if (error != null || reply == null || reply.isEmpty()) {
                            return Optional.<NodeRole>empty();
                        }
                        String role = String.valueOf(reply.get(0)).toLowerCase(Locale.ROOT);
                        NodeRole seen = switch (role) {
                            case "master" -> NodeRole.MASTER;
                            case "slave", "replica" -> NodeRole.REPLICA;
                            default -> NodeRole.UNKNOWN;
                        };
                        if (seen == NodeRole.REPLICA && reply.size() >= 4) {
                            // ["slave", master host, master port, link state ("connected" when up), offset]
                            try {
                                replicaOf = new HostAndPort(String.valueOf(reply.get(1)),
                                        Integer.parseInt(String.valueOf(reply.get(2)))).toString();
                                replicationLinkUp = "connected".equalsIgnoreCase(String.valueOf(reply.get(3)));
                            } catch (RuntimeException e) {
                                replicaOf = null;   // an answer we do not understand: no claim about replication
                                replicationLinkUp = false;
                            }
                        }
                        if (connection == conn) {
                            roleConfirmed = true;
                        }
                        return Optional.of(seen);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
    }

    /** Closes the current Netty channel (Lettuce reconnects at once); {@code why} becomes the RESOLVING reason. */
    void drop(String why) {
        if (closed) {
            return;
        }
        dropReason.set(why);
        String current = node;
        boolean any = false;
        for (Channel channel : owner.pubSubChannels()) {
            if (channel.isActive() && current.equals(format(channel.remoteAddress()))) {
                channel.close();
                any = true;
            }
        }
        if (!any) {
            dropReason.set(null);
            log.debug("Redis source: no open channel to {} to drop ({})", current, why);
        }
    }

    /** Periodic, on the source's timer: a due verification, then the PING deadline check. */
    void tick() {
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
        owner.report(this, plan);
        if (connected) {
            ping(conn, epoch);
        }
    }

    /** A Lettuce reconnect failure event, routed here by the source when its address is this subscriber's. */
    void reconnectFailed(ReconnectFailedEvent failed) {
        if (closed) {
            return;
        }
        lastConnectFailure = clock.instant();
        String why = "reconnect attempt " + failed.getAttempt() + " to " + node + " failed: "
                + describe(unwrap(failed.getCause()));
        tracker.note(why);
        log.debug("Redis source: {}", why);
    }

    /**
     * Stops this subscriber: reports the final transition, unsubscribes (bounded), closes the connection and the
     * client (not the shared resources).
     */
    void close(String why) {
        if (closed) {
            return;
        }
        SourceStatus before = tracker.status();
        closed = true;
        Plan plan;
        synchronized (tracker) {
            plan = tracker.close(why);
        }
        owner.report(this, plan);
        StatefulRedisPubSubConnection<String, String> conn = connection;
        if (conn != null) {
            if (conn.isOpen() && before.state() != SubscriptionState.RESOLVING) {
                unsubscribeAll(conn, before);
            }
            LettuceSupport.await(conn.closeAsync(), "closing the connection to " + node);
        }
        try {
            client.shutdown(Duration.ZERO, RedisSource.CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("Redis client for {} did not shut down cleanly: {}", node, e.toString());
        }
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------ connecting

    private CompletableFuture<Void> connect(int attempt) {
        if (closed || owner.isClosed()) {
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
                if (closed || owner.isClosed()) {
                    conn.closeAsync();
                }
                return null;
            }
            lastConnectFailure = clock.instant();
            String why = "connection attempt " + attempt + " to " + target + " failed: " + describe(unwrap(error));
            tracker.note(why);
            if (attempt == 1 || attempt % 100 == 0) {
                log.warn("Redis source: {}; retrying in the background", why);
            } else {
                log.debug(why);
            }
            if (!closed && !owner.isClosed()) {
                try {
                    timer.schedule(() -> connect(attempt + 1),
                            reconnectDelay.createDelay(attempt + 1).toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closed meanwhile
                }
            }
            return null;
        });
    }

    private void onConnected(StatefulRedisPubSubConnection<String, String> conn, SocketAddress address) {
        if (connection != conn) {
            conn.addListener(listener);   // before any reply is read: this runs inside channelActive
            connection = conn;
        }
        node = format(address);
        pingDeadline.reset();
        dropReason.set(null);
        ProtocolVersion protocol = negotiatedProtocol(conn);
        canVerify = protocol == ProtocolVersion.RESP3;
        roleConfirmed = false;
        Plan plan;
        synchronized (tracker) {
            plan = tracker.connected(node, canVerify);
            send(conn, plan);
        }
        owner.report(this, plan);
        if (canVerify) {
            // ask ROLE at once: a node that was demoted (or promoted) while the connection was down must not be
            // judged by the role it had before (the watchdog decides which nodes take writes from it)
            queryRole(config.connectTimeout()).thenAccept(seen -> seen.ifPresent(
                    role -> role(role, "ROLE on the node after (re)connecting")));
        }
        if (!canVerify) {
            log.info("Redis source: {} negotiated {} on {}; CLIENT INFO is not allowed on a subscribed RESP2 connection,"
                    + " so this connection is confirmed by acknowledgements only (stays SUBSCRIBED)",
                    config.clientName(), protocol, node);
        }
    }

    private void onDisconnected() {
        roleConfirmed = false;
        pingDeadline.reset();
        String reason = dropReason.getAndSet(null);
        Plan plan;
        synchronized (tracker) {
            plan = tracker.disconnected(reason != null ? reason : "lost the connection to " + node);
        }
        owner.report(this, plan);
    }

    private void onAcknowledged(Subscription subscription, boolean subscribed, long count) {
        StatefulRedisPubSubConnection<String, String> conn = connection;
        Plan plan;
        synchronized (tracker) {
            plan = tracker.acknowledged(subscription, subscribed, count);
            send(conn, plan);
        }
        owner.report(this, plan);
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
        owner.report(this, plan);
    }

    private void ping(StatefulRedisPubSubConnection<String, String> conn, long epoch) {
        PingDeadline.Ping ping = pingDeadline.begin(epoch, node, messagesRead);
        if (ping == null) {
            return;   // still waiting; its deadline task decides
        }
        conn.async().ping().whenComplete((pong, error) -> {
            if (error == null || unwrap(error) instanceof RedisCommandExecutionException) {
                // the server answered: it is alive; after a missed deadline the next tick verifies it again
                pingDeadline.answered(ping, tracker.epoch()).ifPresent(silent -> log.info(
                        "Redis source: {} answers PING again after {} ms; verifying its subscription", ping.node(),
                        silent.toMillis()));
            }
        });
        try {
            timer.schedule(() -> checkPing(ping), pingDeadline.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void checkPing(PingDeadline.Ping ping) {
        if (closed || owner.isClosed()) {
            return;
        }
        switch (pingDeadline.expired(ping, tracker.epoch(), messagesRead)) {
            case NONE, IN_GRACE -> { }
            case BUSY -> log.debug("Redis source: no PONG from {} within {} but messages are arriving; not frozen",
                    ping.node(), config.pingTimeout());
            case UNRESPONSIVE -> {
                String why = "no PONG from " + ping.node() + " within " + config.pingTimeout() + " (frozen or "
                        + "partitioned server?); keeping the subscription open for up to " + UNRESPONSIVE_GRACE
                        + " in case it resumes, while the other nodes carry on";
                log.warn("Redis source: {}", why);
                Plan plan;
                synchronized (tracker) {
                    plan = tracker.unresponsive(why);
                }
                owner.report(this, plan);
            }
            case DROP -> {
                String why = "no PONG from " + ping.node() + " within " + config.pingTimeout()
                        + " (frozen or partitioned server?); dropped the connection to reconnect";
                log.warn("Redis source: {}", why);
                drop(why);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ sending

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
            log.warn("Redis source could not send {} to {} (will reconcile on the next acknowledgement or reconnect): {}",
                    plan.commands(), node, e.toString());
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
            LettuceSupport.await(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)), "unsubscribing");
        } catch (RuntimeException e) {
            log.debug("Redis source: unsubscribe on close failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static ProtocolVersion negotiatedProtocol(StatefulRedisPubSubConnection<String, String> conn) {
        return LettuceSupport.negotiatedProtocol(conn);
    }

    private static String format(SocketAddress address) {
        return LettuceSupport.format(address);
    }

    private static Throwable unwrap(Throwable error) {
        return LettuceSupport.unwrap(error);
    }

    private static String describe(Throwable error) {
        return LettuceSupport.describe(error);
    }

    @Override
    public String toString() {
        return "NodeSubscriber[" + (fixedNode != null ? fixedNode : target) + "]";
    }

    /** Connect/disconnect of this subscriber's pub/sub connection (Sentinel look-up connections are ignored). */
    private final class ConnectionListener implements RedisConnectionStateListener {
        @Override
        @SuppressWarnings("unchecked")
        public void onRedisConnected(RedisChannelHandler<?, ?> conn, SocketAddress address) {
            if (closed || owner.isClosed() || !(conn instanceof StatefulRedisPubSubConnection<?, ?>)) {
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
            if (closed || owner.isClosed() || conn != connection) {
                return;
            }
            try {
                onDisconnected();
            } catch (RuntimeException e) {
                log.error("Redis source failed to handle a disconnect from {}", node, e);
            }
        }
    }

    /** Messages and the server's (un)subscribe acknowledgements. Runs on the I/O thread. */
    private final class Listener implements RedisPubSubListener<String, String> {
        @Override
        public void message(String channel, String message) {
            messagesRead++;
            // also after close() began: a replaced connection delivers what it read before its UNSUBSCRIBE was
            // processed (the new one was not subscribed yet for those; the handover dedup drops the overlap)
            if (!owner.isClosed()) {
                owner.message(NodeSubscriber.this, channel, Optional.empty(), message);
            }
        }

        @Override
        public void message(String pattern, String channel, String message) {
            messagesRead++;
            if (!owner.isClosed()) {
                owner.message(NodeSubscriber.this, channel, Optional.ofNullable(pattern), message);
            }
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
            if (closed || owner.isClosed() || name == null || name.isEmpty()) {
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
