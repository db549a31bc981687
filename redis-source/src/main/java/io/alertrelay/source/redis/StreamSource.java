package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.core.Rejection;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.lettuce.core.api.sync.RedisStreamCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code stream} subscriptions: each stream read in its consumer group by a thread of its own on a dedicated
 * connection ({@code <client-name>-stream}), never the pub/sub one.
 *
 * <ul>
 *   <li>start: {@code XGROUP CREATE <stream> <group> <start> MKSTREAM} (an existing group is kept as it is); then this
 *       consumer's own pending entries ({@code XREADGROUP ... 0}: what it read before a crash or restart), then new
 *       ones ({@code XREADGROUP ... COUNT <batch-size> BLOCK <block> ... >});</li>
 *   <li>an entry is handed to the pipeline with a completion: once every notification made from it is durable in the
 *       outbox (or it was rejected, unrouted, absorbed), it is acknowledged ({@code XACK}, asynchronously, on a second
 *       connection, never on the reader's blocking one);</li>
 *   <li>every {@code claim-idle / 2} (at most every 5 s): entries pending longer than {@code claim-idle} on any consumer
 *       (a dead relay, or this one's own lost ones) are taken over with {@code XAUTOCLAIM}; first, those delivered more
 *       than {@code max-deliveries} times are given up: recorded as a rejection ({@code too_many_deliveries}) and
 *       acknowledged, so nothing is retried forever;</li>
 *   <li>at most {@link #IN_FLIGHT_BATCHES} x {@code batch-size} entries per stream wait for the outbox at once; one
 *       handed over longer than {@code claim-idle} ago and never completed (shed, refused) is forgotten here and read
 *       again by the next XAUTOCLAIM;</li>
 *   <li>any error (connection lost, failover: {@code READONLY}, {@code UNBLOCKED}, {@code NOGROUP}) closes the
 *       connection; the thread reconnects after 10 ms, doubling up to {@code redis.reconnect-delay-max}, through
 *       Sentinel's current master (or the cluster's slot owner) and starts over with its own pending entries.</li>
 * </ul>
 * Lag ({@code XINFO GROUPS}) and pending count ({@code XPENDING}) are read every {@link #STATS_INTERVAL}.
 */
public final class StreamSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamSource.class);
    /** Entries of one stream that may wait for the outbox at once, in batches. */
    public static final int IN_FLIGHT_BATCHES = 4;
    /** How often lag and pending count are read. */
    public static final Duration STATS_INTERVAL = Duration.ofSeconds(5);
    /** The longest pause between two XAUTOCLAIM rounds. */
    public static final Duration MAX_CLAIM_PERIOD = Duration.ofSeconds(5);
    /** How long {@link #close} waits for entries in flight to be acknowledged. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    /** The rejection reason of an entry given up after {@code max-deliveries}. */
    public static final String TOO_MANY_DELIVERIES = "too_many_deliveries";

    private final RedisSourceConfig config;
    private final List<StreamSubscription> subscriptions;
    private final String consumer;
    private final Clock clock;
    private final RedisClient client;                 // null on a cluster
    private final RedisClusterClient clusterClient;   // null unless on a cluster
    private final RedisURI uri;
    private final List<Reader> readers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param consumer this relay's consumer name in every group: stable across restarts on the same
     *                 {@code delivery.dir}, so a restarted relay reads its own pending entries first
     */
    public StreamSource(RedisSourceConfig config, List<StreamSubscription> subscriptions, String consumer, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.subscriptions = List.copyOf(subscriptions);
        this.consumer = requireNonNull(consumer, "consumer is null");
        this.clock = requireNonNull(clock, "clock is null");
        Duration timeout = subscriptions.stream().map(StreamSubscription::block).max(Duration::compareTo)
                .orElse(Duration.ZERO).plus(config.connectTimeout());
        this.uri = LettuceSupport.redisUri(config);
        uri.setClientName(config.clientName() + "-stream");
        uri.setTimeout(timeout);
        LettuceSupport.KeyedClient keyed = LettuceSupport.keyedClient(config, uri, "-stream", timeout);
        this.client = keyed.single();
        this.clusterClient = keyed.cluster();
    }

    public String consumer() {
        return consumer;
    }

    public List<StreamSubscription> subscriptions() {
        return subscriptions;
    }

    /** Starts one reader thread per stream. Returns at once; the readers connect (and keep trying) on their own. */
    public void start(MessageHandler handler) {
        requireNonNull(handler, "handler is null");
        for (StreamSubscription subscription : subscriptions) {
            Reader reader = new Reader(subscription, handler);
            readers.add(reader);
            reader.thread.start();
        }
    }

    /** The state of every stream, for {@code /status} and {@code /metrics}. */
    public List<StreamStatus> status() {
        return readers.stream().map(Reader::status).toList();
    }

    /**
     * One stream as the relay sees it.
     *
     * @param lag      entries in the stream not yet delivered to the group ({@code XINFO GROUPS} lag), -1 unknown
     * @param pending  entries delivered to some consumer of the group and not acknowledged ({@code XPENDING}), -1
     *                 unknown
     */
    public record StreamStatus(String stream, String group, String consumer, String state, long lag, long pending,
            long inFlight, long read, long acknowledged, long claimed, long givenUp, long abandoned, String lastError,
            Instant statsAt) {}

    private final class Reader {
        final StreamSubscription sub;
        final MessageHandler handler;
        final Thread thread;
        final Consumer<String> me;
        /** Entry ids handed to the pipeline and not acknowledged yet, with when (System.nanoTime). */
        final Map<String, Long> inFlightSince = new ConcurrentHashMap<>();
        final Set<String> inFlight = inFlightSince.keySet();
        final AtomicLong abandoned = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong claimed = new AtomicLong();
        final AtomicLong givenUp = new AtomicLong();
        volatile String state = "CONNECTING";
        volatile String lastError = "";
        volatile long lag = -1;
        volatile long pending = -1;
        volatile Instant statsAt;
        volatile StatefulConnection<String, String> ackConnection;
        private StatefulConnection<String, String> connection;
        private long nextClaimNanos;
        private long nextStatsNanos;

        Reader(StreamSubscription sub, MessageHandler handler) {
            this.sub = sub;
            this.handler = handler;
            this.me = Consumer.from(sub.group(), consumer);
            this.thread = new Thread(this::run, "stream-" + sub.stream());
            thread.setDaemon(true);
        }

        StreamStatus status() {
            return new StreamStatus(sub.stream(), sub.group(), consumer, state, lag, pending, inFlight.size(),
                    read.get(), acknowledged.get(), claimed.get(), givenUp.get(), abandoned.get(), lastError, statsAt);
        }

        void run() {
            long delayMillis = 0;
            while (!closed) {
                try {
                    RedisStreamCommands<String, String> redis = connect();
                    createGroup(redis);
                    state = "READING";
                    lastError = "";
                    delayMillis = 0;
                    log.info("Stream {}: reading in group {} as consumer {} (own pending entries first)", sub.stream(),
                            sub.group(), consumer);
                    readOwnPending(redis);
                    nextClaimNanos = 0;
                    while (!closed) {
                        housekeeping(redis);
                        if (!awaitRoom()) {
                            continue;
                        }
                        List<StreamMessage<String, String>> entries = redis.xreadgroup(me,
                                XReadArgs.Builder.count(sub.batchSize()).block(sub.block()),
                                XReadArgs.StreamOffset.lastConsumed(sub.stream()));
                        handle(entries, false);
                    }
                } catch (RuntimeException e) {
                    if (closed) {
                        break;
                    }
                    String reason = LettuceSupport.describe(e);
                    state = "RECONNECTING";
                    if (!reason.equals(lastError)) {
                        log.warn("Stream {}: {}; reconnecting (entries in flight stay pending until acknowledged)",
                                sub.stream(), reason);
                    }
                    lastError = reason;
                    drop();
                    delayMillis = delayMillis == 0 ? 10 : Math.min(delayMillis * 2, config.reconnectDelayMax().toMillis());
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException interrupted) {
                        break;
                    }
                }
            }
            state = "CLOSED";
        }

        @SuppressWarnings("unchecked")
        private RedisStreamCommands<String, String> connect() {
            drop();
            connection = clusterClient != null ? clusterClient.connect(StringCodec.UTF8)
                    : client.connect(StringCodec.UTF8, uri);
            return connection instanceof StatefulRedisClusterConnection<String, String> cluster ? cluster.sync()
                    : ((StatefulRedisConnection<String, String>) connection).sync();
        }

        private void drop() {
            if (connection != null) {
                connection.closeAsync();
                connection = null;
            }
            StatefulConnection<String, String> acks = ackConnection;
            if (acks != null) {
                ackConnection = null;
                acks.closeAsync();
            }
        }

        private void createGroup(RedisStreamCommands<String, String> redis) {
            try {
                redis.xgroupCreate(XReadArgs.StreamOffset.from(sub.stream(), sub.start()), sub.group(),
                        XGroupCreateArgs.Builder.mkstream());
                log.info("Stream {}: created consumer group {} from {}", sub.stream(), sub.group(), sub.start());
            } catch (RedisBusyException e) {
                // BUSYGROUP: the group exists; it keeps its position
            }
        }

        /** This consumer's own pending entries (id 0 onwards), batch by batch, before any new one. */
        private void readOwnPending(RedisStreamCommands<String, String> redis) {
            String after = "0";
            while (!closed) {
                awaitRoom();
                List<StreamMessage<String, String>> entries = redis.xreadgroup(me,
                        XReadArgs.Builder.count(sub.batchSize()), XReadArgs.StreamOffset.from(sub.stream(), after));
                if (entries.isEmpty()) {
                    return;
                }
                handle(entries, false);
                after = entries.get(entries.size() - 1).getId();
            }
        }

        private void housekeeping(RedisStreamCommands<String, String> redis) {
            long now = System.nanoTime();
            if (now - nextClaimNanos >= 0) {
                forgetAbandoned(now);
                claim(redis);
                long period = Math.min(sub.claimIdle().toNanos() / 2, MAX_CLAIM_PERIOD.toNanos());
                nextClaimNanos = System.nanoTime() + period;
            }
            if (now - nextStatsNanos >= 0) {
                stats(redis);
                nextStatsNanos = System.nanoTime() + STATS_INTERVAL.toNanos();
            }
        }

        /**
         * Entries handed over longer than {@code claim-idle} ago and never completed (shed by a full ingest queue,
         * refused while stopping, or a failure inside the pipeline) are no longer counted as in flight: they stay
         * pending in the group, so the next XAUTOCLAIM reads them again (and {@code max-deliveries} bounds how often).
         */
        private void forgetAbandoned(long now) {
            long limit = sub.claimIdle().toNanos();
            int forgotten = 0;
            for (Map.Entry<String, Long> entry : inFlightSince.entrySet()) {
                if (now - entry.getValue() > limit && inFlightSince.remove(entry.getKey(), entry.getValue())) {
                    forgotten++;
                }
            }
            if (forgotten > 0) {
                abandoned.addAndGet(forgotten);
                log.warn("Stream {}: {} entries handed over more than claim-idle ({}) ago were never completed (shed or "
                        + "refused); they stay pending and are read again", sub.stream(), forgotten, sub.claimIdle());
            }
        }

        /** Gives up over-delivered entries, then takes over entries idle longer than claim-idle (XAUTOCLAIM). */
        private void claim(RedisStreamCommands<String, String> redis) {
            List<PendingMessage> idle = redis.xpending(sub.stream(), XPendingArgs.Builder.xpending(sub.group(),
                    Range.create("-", "+"), Limit.from(sub.batchSize())).idle(sub.claimIdle()));
            List<StreamEntries.Pending> candidates = idle.stream()
                    .map(p -> new StreamEntries.Pending(p.getId(), p.getConsumer(), p.getRedeliveryCount())).toList();
            for (StreamEntries.Pending entry : StreamEntries.overDelivered(candidates, sub.maxDeliveries(), inFlight)) {
                givenUp.incrementAndGet();
                String detail = "stream entry " + entry.id() + " was delivered " + entry.deliveries()
                        + " times (last to consumer " + entry.consumer() + ") and never acknowledged; given up after "
                        + "max-deliveries " + sub.maxDeliveries();
                log.error("Stream {}: {}", sub.stream(), detail);
                String id = entry.id();
                inFlightSince.put(id, System.nanoTime());
                handler.onUnreadable(new InboundMessage(sub.stream(), Optional.empty(), "", node(), clock.instant(),
                        () -> ack(id)), TOO_MANY_DELIVERIES, detail);
            }
            String cursor = "0-0";
            int rounds = 0;
            do {
                if (!awaitRoom()) {
                    return;
                }
                ClaimedMessages<String, String> result = redis.xautoclaim(sub.stream(),
                        XAutoClaimArgs.Builder.<String>xautoclaim(me, sub.claimIdle(), cursor).count(sub.batchSize()));
                handle(result.getMessages(), true);
                cursor = result.getId();
            } while (!closed && !"0-0".equals(cursor) && ++rounds < IN_FLIGHT_BATCHES);
        }

        private void stats(RedisStreamCommands<String, String> redis) {
            OptionalLong groupLag = StreamEntries.lag(redis.xinfoGroups(sub.stream()), sub.group());
            lag = groupLag.orElse(-1);
            pending = redis.xpending(sub.stream(), sub.group()).getCount();
            statsAt = clock.instant();
        }

        /** Waits while the in-flight bound is reached; false when closing. */
        private boolean awaitRoom() {
            int limit = IN_FLIGHT_BATCHES * sub.batchSize();
            while (inFlight.size() >= limit && !closed) {
                synchronized (this) {
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return !closed;
        }

        private void handle(List<StreamMessage<String, String>> entries, boolean claimedNow) {
            for (StreamMessage<String, String> entry : entries) {
                String id = entry.getId();
                if (entry.getBody() == null) {
                    // XAUTOCLAIM names deleted entries' ids: nothing to deliver, acknowledge
                    ack(id);
                    continue;
                }
                if (inFlightSince.putIfAbsent(id, System.nanoTime()) != null) {
                    continue;   // read again (own pending after a reconnect, or claimed from ourselves): in flight
                }
                read.incrementAndGet();
                if (claimedNow) {
                    claimed.incrementAndGet();
                }
                InboundMessage.Completion done = () -> ack(id);
                Map<String, String> fields = entry.getBody();
                Optional<String> payload = StreamEntries.payload(fields, sub.field());
                InboundMessage message = new InboundMessage(sub.stream(), Optional.empty(), payload.orElse(""), node(),
                        clock.instant(), done);
                try {
                    if (payload.isPresent()) {
                        handler.onMessage(message);
                    } else {
                        handler.onUnreadable(message, Rejection.MISSING_FIELD,
                                StreamEntries.missingFieldDetail(id, fields, sub.field()));
                    }
                } catch (RuntimeException e) {
                    log.error("Stream {}: entry {} could not be handed over", sub.stream(), id, e);
                }
            }
        }

        private String node() {
            return sub.stream();
        }

        /** Called on the pipeline's completion thread: sends XACK without waiting for the answer. */
        @SuppressWarnings("unchecked")
        private void ack(String id) {
            try {
                StatefulConnection<String, String> acks = ackConnection;
                if (acks == null || !acks.isOpen()) {
                    synchronized (this) {
                        acks = ackConnection;
                        if (acks == null || !acks.isOpen()) {
                            acks = clusterClient != null ? clusterClient.connect(StringCodec.UTF8)
                                    : client.connect(StringCodec.UTF8, uri);
                            ackConnection = acks;
                        }
                    }
                }
                StatefulConnection<String, String> ackedOn = acks;
                RedisStreamAsyncCommands<String, String> async =
                        acks instanceof StatefulRedisClusterConnection<String, String> cluster ? cluster.async()
                                : ((StatefulRedisConnection<String, String>) acks).async();
                async.xack(sub.stream(), sub.group(), id).whenComplete((count, error) -> {
                    inFlight.remove(id);
                    if (error != null) {
                        if (ackConnection == ackedOn) {
                            ackConnection = null;   // the next ack connects again (a failover's new master)
                            ackedOn.closeAsync();
                        }
                        log.warn("Stream {}: XACK of {} failed ({}); it stays pending and is read again after "
                                + "claim-idle", sub.stream(), id, LettuceSupport.describe(error));
                    } else {
                        acknowledged.incrementAndGet();
                    }
                    synchronized (this) {
                        notifyAll();
                    }
                });
            } catch (RuntimeException e) {
                inFlight.remove(id);
                log.warn("Stream {}: XACK of {} not sent ({}); it stays pending and is read again after claim-idle",
                        sub.stream(), id, LettuceSupport.describe(e));
            }
        }
    }

    /** Stops reading; waits up to {@link #CLOSE_GRACE} for entries in flight to be acknowledged; disconnects. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        closed = true;
        for (Reader reader : readers) {
            while (!reader.inFlight.isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (Reader reader : readers) {
            reader.thread.interrupt();
        }
        if (clusterClient != null) {
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
