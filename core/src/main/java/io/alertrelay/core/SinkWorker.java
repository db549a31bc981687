package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.core.outbox.Notification;
import io.alertrelay.core.outbox.Outbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Rate;
import io.alertrelay.spi.Sink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's notifications and the single thread that delivers them, oldest first.
 *
 * <p>{@link #offer} records the notification in the {@link Outbox} (it never blocks: the outbox group-commits) and
 * keeps it in memory while fewer than {@code queue-capacity} wait; beyond that it stays on disk only and is read back
 * in order when room frees up. The sink is called only once the notification is durable. Delivered: removed.
 * Rejected: a dead letter with the sink's answer. Retryable: this notification becomes its target's <em>probe</em>:
 * retried alone after {@link DeliveryPolicy#backoff} (or exactly the receiver's Retry-After), while the others of that
 * target wait without spending attempts; the first success releases them at once. A probe older than {@code max-age}
 * becomes a dead letter ({@code expired}) and the next one takes its place, on the same back-off.
 *
 * <p>Targets ({@link Sink#target}: a Slack channel, say) are independent lanes: each has its own probe and pause, so a
 * 429 with {@code Retry-After: N} for one channel pauses exactly that channel for N seconds while the others flow. With
 * a {@linkplain #useRate rate} each target is also paced by a token bucket on the worker's clock; notifications that
 * wait longer than the rate allows (more waiting than tokens left, or the target just failed) go out together as one
 * {@link Sink#deliverAll} call, a digest, and are all done once the sink accepted it. Without a rate a sink gets one
 * notification per call, as before. The held lanes count against {@code queue-capacity} like the memory queue.
 *
 * <p>Not Failsafe (which the relay used before): its retry loop counts attempts per call and sleeps on the wall clock
 * inside the call, while this schedule spans restarts (age counts from the durable {@code createdAt}), is shared by a
 * sink's whole backlog (one probe at a time), and is driven by the {@link Clock} so tests can run it on a manual one
 * ({@link #step}).
 */
public final class SinkWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SinkWorker.class);
    /** Longest real-time nap of the delivery thread between looks at the clock. */
    private static final long NAP_MILLIS = 200;

    private final String id;
    private final String type;
    private final Sink sink;
    private final DeliveryPolicy policy;
    private final Outbox outbox;
    private final Clock clock;
    private final DoubleSupplier random;
    private final Thread thread;
    private final Counter delivered;
    private final Counter rejected;
    private final Counter expired;
    private final Counter dropped;
    private final Counter spilled;
    private final Counter retries;
    private final Counter digests;
    private final Counter coalesced;
    private final Timer latency;
    private final AtomicLong droppedSinceLog = new AtomicLong();
    private final AtomicLong lastRecordedId = new AtomicLong();
    private final MeterRegistry metrics;
    private volatile DeliveryClaims claims = DeliveryClaims.none();
    private volatile boolean claiming;
    private final AtomicLong claimsWon = new AtomicLong();
    private final AtomicLong claimsElsewhere = new AtomicLong();
    private final AtomicLong claimsFailedOpen = new AtomicLong();
    private final List<OutcomeListener> outcomeListeners = new CopyOnWriteArrayList<>();

    // guarded by this
    private final ArrayDeque<Notification> memory = new ArrayDeque<>();
    private boolean overflow = true; // until the first look at the outbox: resume what a previous run left
    private long lastOverflowId;
    private long highestLoadedId;

    // the delivery thread's own: one lane per target, each holding that target's notifications in order
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    /** Notifications in lanes (taken from memory, not yet delivered or given up); counts against queue-capacity. */
    private final AtomicInteger held = new AtomicInteger();
    private Rate rate;

    // the delivery thread's state as status readers see it (published after each step)
    private volatile int consecutiveFailures;
    private volatile Instant nextProbeAt;
    private volatile Instant oldestHeldAt;
    private volatile int trying;
    private volatile Instant wakeAt;
    private volatile boolean onlyPausedLanes;
    private volatile String lastFailure = "";
    private volatile int inFlight;
    private volatile boolean accepting = true;
    private volatile boolean running = true;

    /** A worker on an in-memory outbox (nothing survives the process), on the system clock. */
    public SinkWorker(String id, String type, Sink sink, DeliveryPolicy policy, MeterRegistry metrics) {
        this(id, type, sink, policy, new InMemoryOutbox(), Clock.systemUTC(), metrics);
    }

    public SinkWorker(String id, String type, Sink sink, DeliveryPolicy policy, Outbox outbox, Clock clock,
                      MeterRegistry metrics) {
        this(id, type, sink, policy, outbox, clock, metrics, () -> ThreadLocalRandom.current().nextDouble());
    }

    SinkWorker(String id, String type, Sink sink, DeliveryPolicy policy, Outbox outbox, Clock clock,
               MeterRegistry metrics, DoubleSupplier random) {
        this.id = requireNonNull(id, "id is null");
        this.type = requireNonNull(type, "type is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.random = requireNonNull(random, "random is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.delivered = counter(metrics, "alertrelay.sink.delivered", "Notifications a sink accepted");
        this.rejected = counter(metrics, "alertrelay.sink.rejected",
                "Notifications a sink refused permanently (now dead letters)");
        this.expired = counter(metrics, "alertrelay.sink.failed",
                "Notifications given up after delivery.max-age (now dead letters)");
        this.dropped = counter(metrics, "alertrelay.sink.dropped", "Notifications refused because the relay was stopping");
        this.spilled = counter(metrics, "alertrelay.sink.spilled",
                "Notifications kept on disk only because queue-capacity were already in memory");
        this.retries = counter(metrics, "alertrelay.sink.retries", "Delivery attempts after a failure");
        this.digests = counter(metrics, "alertrelay.sink.digests",
                "Messages that carried several notifications because their target's rate would not let them out one "
                        + "by one");
        this.coalesced = counter(metrics, "alertrelay.sink.coalesced",
                "Notifications delivered inside a digest with others (rate shaping)");
        this.rate = sink.defaultRate().orElse(null);
        this.latency = Timer.builder("alertrelay.sink.delivery")
                .description("Time from recording a notification to its delivery, retries included")
                .tags("sink", id, "type", type).register(metrics);
        Gauge.builder("alertrelay.sink.queue.depth", this, SinkWorker::queueDepth)
                .description("Notifications waiting for a sink (memory and disk), not counting the one in flight")
                .tags("sink", id, "type", type).register(metrics);
        Gauge.builder("alertrelay.sink.oldest.pending.seconds", this,
                        worker -> worker.oldestPendingAge().toMillis() / 1000.0)
                .description("Age of the sink's oldest undelivered notification; 0 when none")
                .tags("sink", id, "type", type).register(metrics);
        Gauge.builder("alertrelay.sink.dead.letters", this, SinkWorker::deadLetterCount)
                .description("Dead letters of this sink in the outbox").tags("sink", id, "type", type)
                .register(metrics);
        this.thread = new Thread(this::run, "sink-" + id);
        this.thread.setDaemon(true);
    }

    private Counter counter(MeterRegistry metrics, String name, String description) {
        return Counter.builder(name).description(description).tags("sink", id, "type", type).register(metrics);
    }

    /** Told the final outcome of every notification, on the worker's thread. Must not block. */
    @FunctionalInterface
    public interface OutcomeListener {
        /**
         * @param finalResult delivered; rejected (a dead letter now); or retryable when it expired after
         *                    {@code max-age} (a dead letter too)
         */
        void onOutcome(String sinkId, Alert alert, DeliveryResult finalResult);
    }

    public void addOutcomeListener(OutcomeListener listener) {
        outcomeListeners.add(requireNonNull(listener, "listener is null"));
    }

    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    /** Notifications waiting (in memory and on disk), not counting those being tried (in flight or the probes). */
    public int queueDepth() {
        long pending = outbox.pendingCount(id);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, pending - Math.max(trying, inFlight)));
    }

    /** Every undelivered notification, the one being tried included. */
    public long pendingCount() {
        return outbox.pendingCount(id);
    }

    public long deadLetterCount() {
        return outbox.deadLetterCount(id);
    }

    /** When the oldest undelivered notification was recorded. */
    public Optional<Instant> oldestPending() {
        Instant oldest = oldestHeldAt;
        if (oldest != null) {
            return Optional.of(oldest);
        }
        synchronized (this) {
            return Optional.ofNullable(memory.peek()).map(Notification::createdAt);
        }
    }

    public Duration oldestPendingAge() {
        return oldestPending().map(at -> Duration.between(at, clock.instant())).filter(age -> !age.isNegative())
                .orElse(Duration.ZERO);
    }

    /** Consecutive failed attempts of this sink's most failing target (0 while every target delivers). */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The last failure's detail, empty when none yet. */
    public String lastFailure() {
        return lastFailure;
    }

    /** When the sink's next probe will be tried (the earliest over its failing targets), while one is backing off. */
    public Optional<Instant> nextProbeAt() {
        return Optional.ofNullable(nextProbeAt);
    }

    /**
     * Claims each notification before its sink is called (several relays on the same patterns; see
     * {@link DeliveryClaims}). Call before {@link #start}.
     */
    public void useClaims(DeliveryClaims claims) {
        this.claims = requireNonNull(claims, "claims is null");
        this.claiming = true;
        io.micrometer.core.instrument.FunctionCounter.builder("alertrelay.sink.claims", claimsWon, AtomicLong::get)
                .description("Claims of notifications before delivery, by result").tags("sink", id, "type", type,
                        "result", "won").register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("alertrelay.sink.claims", claimsElsewhere,
                        AtomicLong::get)
                .description("Claims of notifications before delivery, by result").tags("sink", id, "type", type,
                        "result", "done_elsewhere").register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("alertrelay.sink.claims", claimsFailedOpen,
                        AtomicLong::get)
                .description("Claims of notifications before delivery, by result").tags("sink", id, "type", type,
                        "result", "unavailable").register(metrics);
    }

    /**
     * Paces each target ({@link Sink#target}) with a token bucket and coalesces what waits longer than it allows into
     * one {@link Sink#deliverAll} call; {@code null} for no rate (one notification per call). Defaults to the sink's
     * {@link Sink#defaultRate()}. Call before {@link #start}.
     */
    public void useRate(Rate rate) {
        this.rate = rate;
    }

    /** The rate each target is paced at; empty for none. */
    public Optional<Rate> rate() {
        return Optional.ofNullable(rate);
    }

    /** Claims counted so far: won, left to another relay (delivered there), delivered without a claim (fail open). */
    public record ClaimCounts(long won, long doneElsewhere, long failedOpen) {}

    /** Empty when this worker does not claim. */
    public Optional<ClaimCounts> claimCounts() {
        return claiming ? Optional.of(new ClaimCounts(claimsWon.get(), claimsElsewhere.get(), claimsFailedOpen.get()))
                : Optional.empty();
    }

    /**
     * The idempotency key of a notification: {@code <sink>:<status>:<alert id>:<content hash>}, the same on every relay
     * that received the same publication (the hash covers everything the event said and its channel, not when or
     * through which pattern a relay received it). The hash keeps a re-fired alert with the same id (a new timestamp, a
     * new summary) from being taken for a delivered one; the relay's own health alerts carry their relay and time,
     * so each relay's are its own.
     */
    static String claimKey(Notification notification) {
        Alert alert = alertsOf(notification).get(0);
        String content = String.join("\u0000", alert.id(), alert.status().wireName(), alert.severity().wireName(),
                alert.title(), alert.summary().orElse(""), alert.labels().toString(), alert.source().orElse(""),
                alert.timestamp().map(Object::toString).orElse(""), alert.extra().toString(),
                alert.origin().channel());
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        return notification.sinkId() + ":" + alert.status().wireName() + ":" + alert.id() + ":"
                + java.util.HexFormat.of().formatHex(digest, 0, 8);
    }

    public void start() {
        thread.start();
    }

    /**
     * Records a notification of this alert for this sink; returns false (and counts it as dropped) only when the relay
     * is stopping. Never blocks on the sink or the disk.
     */
    public boolean offer(Alert alert) {
        return offerAll(List.of(alert));
    }

    /**
     * Records one notification of these alerts (a route's group), delivered as one message through
     * {@link Sink#deliverAll}; like {@link #offer}.
     */
    public boolean offerAll(List<Alert> alerts) {
        return offerNotification(alerts) > 0;
    }

    /** Like {@link #offer}, returning the new notification's outbox id (see {@link #offerNotification(List)}). */
    public long offerNotification(Alert alert) {
        return offerNotification(List.of(alert));
    }

    /**
     * Like {@link #offerAll}, returning the new notification's outbox id ({@link #awaitDurable} tells when it is on
     * disk), or -1 when the relay is stopping and the alerts were refused.
     */
    public long offerNotification(List<Alert> alerts) {
        Alert alert = alerts.get(0);
        if (!accepting) {
            dropped.increment();
            long count = droppedSinceLog.incrementAndGet();
            if (count == 1 || count % 1000 == 0) {
                log.error("sink {}: stopping; alert {} refused ({} refused so far)", id, alert.id(), count);
            }
            return -1;
        }
        Notification notification = outbox.add(id, alerts);
        enqueue(notification);
        lastRecordedId.accumulateAndGet(notification.id(), Math::max);
        return notification.id();
    }

    /** The highest outbox id this worker recorded so far (0 before the first). */
    public long lastRecordedId() {
        return lastRecordedId.get();
    }

    /** False once the relay is stopping: offers are refused. */
    public boolean accepting() {
        return accepting;
    }

    /** Blocks until the outbox notification with this id (and every earlier one) is durable, or the outbox closed. */
    public void awaitDurable(long notificationId) throws InterruptedException {
        outbox.awaitDurable(notificationId);
    }

    /** Takes a notification already in the outbox (a re-driven dead letter) into the queue. */
    public void enqueue(Notification notification) {
        synchronized (this) {
            if (!overflow && memory.size() + held.get() < policy.queueCapacity()) {
                memory.addLast(notification);
                highestLoadedId = Math.max(highestLoadedId, notification.id());
            } else {
                overflow = true;
                lastOverflowId = Math.max(lastOverflowId, notification.id());
                spilled.increment();
            }
            notifyAll();
        }
    }

    /** The next notification to try, from memory or, when some overflowed, read back from the outbox. */
    private Notification next() throws InterruptedException {
        long target;
        long after;
        synchronized (this) {
            Notification next = memory.pollFirst();
            if (next != null || !overflow) {
                return next;
            }
            target = lastOverflowId;
            after = highestLoadedId;
        }
        outbox.awaitDurable(target);
        List<Notification> loaded = outbox.pending(id, after, policy.queueCapacity());
        synchronized (this) {
            for (Notification notification : loaded) {
                if (notification.id() > highestLoadedId) {
                    memory.addLast(notification);
                    highestLoadedId = notification.id();
                }
            }
            if (loaded.size() < policy.queueCapacity() && highestLoadedId >= lastOverflowId) {
                overflow = false;
            }
            return memory.pollFirst();
        }
    }

    /**
     * The alerts one notification carries. The one place that knows how a {@link Notification} holds its alerts, so
     * that a notification of several alerts (a group) changes this method only.
     */
    private static List<Alert> alertsOf(Notification notification) {
        return notification.alerts();
    }

    /** For log lines: the notification's (first) alert id. */
    private static String idOf(Notification notification) {
        List<Alert> alerts = alertsOf(notification);
        return alerts.size() == 1 ? alerts.get(0).id() : alerts.get(0).id() + "+" + (alerts.size() - 1);
    }

    private String targetOf(Notification notification) {
        try {
            String target = sink.target(alertsOf(notification).get(0));
            return target == null ? "" : target;
        } catch (RuntimeException e) {
            log.warn("sink {}: target() threw for alert {}; using the sink's default target", id, idOf(notification), e);
            return "";
        }
    }

    /**
     * One target's notifications ({@link Sink#target}): its own pace (token bucket), pause and probe. Only the delivery
     * thread touches it.
     */
    private static final class Lane {
        final String target;
        final ArrayDeque<Notification> waiting = new ArrayDeque<>();
        final Map<Long, Integer> attempts = new HashMap<>();
        final TokenBucket bucket; // null: no rate, one notification per call, as before rate shaping
        /** Not tried before this: a back-off, the receiver's Retry-After, or another relay's claim. */
        Instant pausedUntil;
        int failures;
        String lastFailure = "";
        /** Notifications of the last failed attempt: this target's probe. */
        int trying;

        Lane(String target, TokenBucket bucket) {
            this.target = target;
            this.bucket = bucket;
        }

        boolean pausedAt(Instant now) {
            return pausedUntil != null && now.isBefore(pausedUntil);
        }
    }

    private Lane lane(String target) {
        return lanes.computeIfAbsent(target, t -> new Lane(t, rate == null ? null : new TokenBucket(rate, clock.instant())));
    }

    /** Moves notifications from memory (or disk) into their targets' lanes while fewer than queue-capacity are held. */
    private void fill() throws InterruptedException {
        while (held.get() < policy.queueCapacity()) {
            Notification notification = next();
            if (notification == null) {
                return;
            }
            lane(targetOf(notification)).waiting.addLast(notification);
            held.incrementAndGet();
        }
    }

    /** What one {@link #step} did. */
    enum Step {
        /** Nothing to deliver. */
        IDLE,
        /** Every target with notifications is backing off, paused or out of tokens. */
        WAITING,
        /** One call was made to the sink (or a notification expired, or another relay had delivered it). */
        ATTEMPTED
    }

    /**
     * One unit of work: takes waiting notifications into their targets' lanes, then makes at most one call: for the
     * target whose oldest notification is oldest among those that may be called now (not paused, a token left).
     */
    Step step() throws InterruptedException {
        fill();
        Instant now = clock.instant();
        try {
            if (held.get() == 0) {
                forgetIdleLanes(now);
                return Step.IDLE;
            }
            // expiry first: a notification past max-age is given up now, not at the end of the back-off it waits in
            // (the next one then waits out the same back-off)
            for (Lane lane : lanes.values()) {
                Notification oldest = lane.waiting.peekFirst();
                if (oldest != null && Duration.between(oldest.createdAt(), now).compareTo(policy.maxAge()) > 0) {
                    String last = lane.lastFailure;
                    giveUp(lane, oldest, DeadLetter.EXPIRED, "not delivered within delivery.max-age ("
                            + policy.maxAge() + "); last answer: " + (last.isEmpty() ? "none" : last),
                            DeliveryResult.retryable(last.isEmpty() ? "expired" : last));
                    expired.increment();
                    return Step.ATTEMPTED;
                }
            }
            Lane ready = null;
            for (Lane lane : lanes.values()) {
                Notification oldest = lane.waiting.peekFirst();
                if (oldest == null || lane.pausedAt(now) || (lane.bucket != null && lane.bucket.available(now) < 1)) {
                    continue;
                }
                if (ready == null || oldest.id() < ready.waiting.peekFirst().id()) {
                    ready = lane;
                }
            }
            if (ready == null) {
                return Step.WAITING;
            }
            return attempt(ready, now);
        } finally {
            publish();
        }
    }

    /**
     * What goes in the next call for this lane: without a rate, its oldest notification alone (as before rate
     * shaping). With one: the oldest alone while every waiting notification has a token of its own and the target is
     * not failing; otherwise (they waited, or would wait, longer than the rate allows) all of them, as one digest.
     */
    private List<Notification> batchOf(Lane lane, Instant now) {
        if (lane.bucket == null || (lane.failures == 0 && lane.waiting.size() <= lane.bucket.available(now))) {
            return List.of(lane.waiting.peekFirst());
        }
        return new ArrayList<>(lane.waiting);
    }

    private Step attempt(Lane lane, Instant now) throws InterruptedException {
        List<Notification> batch = new ArrayList<>();
        List<String> claimKeys = new ArrayList<>();
        boolean doneElsewhere = false;
        for (Notification notification : batchOf(lane, now)) {
            String claimKey = null;
            if (claiming) {
                claimKey = claimKey(notification);
                DeliveryClaims.Result claim;
                try {
                    claim = claims.claim(claimKey);
                } catch (RuntimeException e) {
                    claim = DeliveryClaims.Result.UNAVAILABLE;
                }
                if (claim == DeliveryClaims.Result.HELD_ELSEWHERE) {
                    // another relay is delivering it: it and what follows wait for that (or for its claim to expire)
                    if (batch.isEmpty() && !doneElsewhere) {
                        lane.pausedUntil = now.plus(claims.recheckAfter());
                        return Step.WAITING;
                    }
                    break;
                }
                switch (claim) {
                    case WON -> claimsWon.incrementAndGet();
                    case UNAVAILABLE -> {
                        long count = claimsFailedOpen.incrementAndGet();
                        if (count == 1 || count % 1000 == 0) {
                            log.warn("sink {}: alert {} could not be claimed; delivering it anyway (fail open: a "
                                    + "duplicate beats a miss; {} so far)", id, idOf(notification), count);
                        }
                    }
                    case DONE_ELSEWHERE -> {
                        claimsElsewhere.incrementAndGet();
                        outbox.done(notification);
                        remove(lane, notification);
                        doneElsewhere = true;
                        log.debug("sink {}: alert {} was delivered by another relay", id, idOf(notification));
                        continue;
                    }
                    default -> throw new IllegalStateException("unexpected claim " + claim);
                }
            }
            batch.add(notification);
            claimKeys.add(claimKey);
        }
        if (batch.isEmpty()) {
            return Step.ATTEMPTED; // all were delivered by another relay
        }
        outbox.awaitDurable(batch.get(batch.size() - 1).id());
        List<Alert> alerts = new ArrayList<>();
        for (Notification notification : batch) {
            alerts.addAll(alertsOf(notification));
            if (lane.attempts.merge(notification.id(), 1, Integer::sum) > 1) {
                retries.increment();
            }
        }
        if (lane.bucket != null) {
            lane.bucket.take(now);
        }
        DeliveryResult result;
        inFlight = batch.size();
        try {
            result = call(alerts);
        } finally {
            inFlight = 0;
        }
        now = clock.instant();
        switch (result.outcome()) {
            case DELIVERED -> {
                if (lane.failures > 0) {
                    log.info("sink {}: {}delivers again after {} failed attempt(s)", id, targetText(lane),
                            lane.failures);
                }
                lane.failures = 0;
                lane.pausedUntil = null;
                lane.trying = 0;
                if (batch.size() > 1) {
                    digests.increment();
                    coalesced.increment(batch.size());
                    log.info("sink {}: {}{} notifications delivered as one digest (rate {})", id, targetText(lane),
                            batch.size(), rate);
                }
                for (int i = 0; i < batch.size(); i++) {
                    Notification notification = batch.get(i);
                    markClaimDone(claimKeys.get(i));
                    outbox.done(notification);
                    remove(lane, notification);
                    delivered.increment();
                    latency.record(Duration.between(notification.createdAt(), now));
                    log.debug("sink {}: alert {} delivered", id, idOf(notification));
                    for (Alert alert : alertsOf(notification)) {
                        tell(alert, result);
                    }
                }
            }
            case REJECTED -> {
                // the receiver answered: it is reachable, so no back-off for the next one
                lane.failures = 0;
                lane.pausedUntil = null;
                lane.trying = 0;
                String answer = batch.size() == 1 ? result.detail()
                        : result.detail() + " (one digest of " + batch.size() + " notifications)";
                for (int i = 0; i < batch.size(); i++) {
                    markClaimDone(claimKeys.get(i));
                    rejected.increment();
                    giveUp(lane, batch.get(i), DeadLetter.REJECTED, answer, result);
                }
            }
            case RETRYABLE -> {
                int failures = ++lane.failures;
                lane.lastFailure = result.detail();
                lastFailure = result.detail();
                lane.trying = batch.size();
                Duration wait = result.retryAfter()
                        .map(asked -> asked.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : asked)
                        .orElseGet(() -> policy.backoff(failures, random.getAsDouble()));
                if (lane.bucket != null && result.retryAfter().isPresent()) {
                    lane.bucket.drain(now); // we went faster than the receiver allows: start the bucket over
                }
                lane.pausedUntil = now.plus(wait);
                log.warn("sink {}: {}alert {}{} attempt {} failed ({}); {} waiting; next try in {} ms{}", id,
                        targetText(lane), idOf(batch.get(0)), batch.size() > 1 ? " and " + (batch.size() - 1)
                                + " more (one digest)" : "", lane.attempts.getOrDefault(batch.get(0).id(), 1),
                        result.detail(), queueDepth(), wait.toMillis(),
                        result.retryAfter().isPresent() ? " (Retry-After)" : "");
            }
        }
        return Step.ATTEMPTED;
    }

    private static String targetText(Lane lane) {
        return lane.target.isEmpty() ? "" : "target " + lane.target + ": ";
    }

    private DeliveryResult call(List<Alert> alerts) {
        try {
            DeliveryResult result = alerts.size() == 1 ? sink.deliver(alerts.get(0)) : sink.deliverAll(alerts);
            return result == null ? DeliveryResult.retryable("sink returned no result") : result;
        } catch (RuntimeException e) {
            log.warn("sink {}: alert {} threw", id, alerts.get(0).id(), e);
            return DeliveryResult.retryable(e.getClass().getSimpleName());
        }
    }

    private void remove(Lane lane, Notification notification) {
        if (lane.waiting.removeFirstOccurrence(notification)) {
            held.decrementAndGet();
        }
        lane.attempts.remove(notification.id());
    }

    /** Drops lanes with nothing waiting whose bucket is full again and that are not paused (state that says nothing). */
    private void forgetIdleLanes(Instant now) {
        lanes.values().removeIf(lane -> lane.waiting.isEmpty() && lane.failures == 0 && !lane.pausedAt(now)
                && (lane.bucket == null || lane.bucket.available(now) >= rate.burst()));
    }

    /** Publishes the delivery thread's state for status readers (other threads). */
    private void publish() {
        int maxFailures = 0;
        Instant probe = null;
        Instant oldest = null;
        int tryingNow = 0;
        Instant wake = null;
        boolean onlyPaused = true;
        Instant now = clock.instant();
        for (Lane lane : lanes.values()) {
            maxFailures = Math.max(maxFailures, lane.failures);
            tryingNow += lane.trying;
            Notification first = lane.waiting.peekFirst();
            if (first == null) {
                continue;
            }
            if (oldest == null || first.createdAt().isBefore(oldest)) {
                oldest = first.createdAt();
            }
            if (lane.failures > 0 && lane.pausedUntil != null && (probe == null || lane.pausedUntil.isBefore(probe))) {
                probe = lane.pausedUntil;
            }
            Instant due = lane.pausedAt(now) ? lane.pausedUntil
                    : lane.bucket != null ? lane.bucket.nextTokenAt(now) : now;
            if (!lane.pausedAt(now)) {
                onlyPaused = false;
            }
            if (wake == null || due.isBefore(wake)) {
                wake = due;
            }
        }
        consecutiveFailures = maxFailures;
        nextProbeAt = probe;
        oldestHeldAt = oldest;
        trying = tryingNow;
        wakeAt = wake;
        onlyPausedLanes = onlyPaused && wake != null;
    }

    private void markClaimDone(String claimKey) {
        if (claimKey != null) {
            try {
                claims.done(claimKey);
            } catch (RuntimeException e) {
                log.debug("sink {}: could not mark {} done: {}", id, claimKey, e.toString());
            }
        }
    }

    private void giveUp(Lane lane, Notification notification, String reason, String answer, DeliveryResult result) {
        int attempts = lane.attempts.getOrDefault(notification.id(), 0);
        outbox.deadLetter(notification, attempts, reason, answer);
        remove(lane, notification);
        if (lane.trying > 0) {
            lane.trying--;
        }
        log.error("sink {}: alert {} is a dead letter ({}) after {} attempt(s): {}", id, idOf(notification),
                reason, attempts, answer);
        for (Alert alert : alertsOf(notification)) {
            tell(alert, result);
        }
    }

    private void tell(Alert alert, DeliveryResult result) {
        for (OutcomeListener listener : outcomeListeners) {
            try {
                listener.onOutcome(id, alert, result);
            } catch (RuntimeException e) {
                log.warn("sink {}: outcome listener failed", id, e);
            }
        }
    }

    private void run() {
        try {
            while (running) {
                Step step = step();
                if (!accepting && (step == Step.IDLE ? isDrained() : step == Step.WAITING && onlyPausedLanes)) {
                    return; // stopping: a failing sink is not waited for, its backlog stays in the outbox
                }
                if (step == Step.IDLE) {
                    nap(NAP_MILLIS, false);
                } else if (step == Step.WAITING) {
                    Instant due = wakeAt;
                    long millis = due == null ? NAP_MILLIS : Duration.between(clock.instant(), due).toMillis();
                    nap(Math.max(1, Math.min(NAP_MILLIS, millis)), held.get() >= policy.queueCapacity());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("sink {}: delivery thread failed; undelivered notifications stay in the outbox", id, e);
        }
    }

    private synchronized boolean isDrained() {
        return memory.isEmpty() && !overflow;
    }

    /** Sleeps until there is work, a target may be due, or {@code millis} passed. */
    private synchronized void nap(long millis, boolean always) throws InterruptedException {
        if (always || (memory.isEmpty() && !overflow)) {
            wait(millis);
        }
    }

    /**
     * Stops taking notifications; keeps delivering while the sink accepts them, for up to {@code drainTimeout} (a sink
     * that is backing off is not waited for), lets an in-flight call finish within that time, then stops the thread
     * and closes the sink. Whatever was not delivered stays in the outbox for the next start, and is counted in the
     * log.
     */
    public void close(Duration drainTimeout) {
        accepting = false;
        synchronized (this) {
            notifyAll();
        }
        if (thread.isAlive()) {
            try {
                thread.join(Math.max(1, drainTimeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running = false;
        if (thread.isAlive()) {
            log.warn("sink {}: a delivery was still in flight after shutdown.timeout ({}); interrupting it", id,
                    drainTimeout);
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long left = outbox.pendingCount(id);
        if (left > 0) {
            log.warn("sink {}: {} notification(s) not delivered yet; they stay in the outbox for the next start", id,
                    left);
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            log.warn("sink {}: close failed", id, e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
