package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.core.outbox.Notification;
import io.alertrelay.core.outbox.Outbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Sink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * Rejected: a dead letter with the sink's answer. Retryable: this notification becomes the sink's <em>probe</em>:
 * retried alone after {@link DeliveryPolicy#backoff} (or exactly the receiver's Retry-After), while the others wait
 * without spending attempts; the first success releases them at once. A probe older than {@code max-age} becomes a
 * dead letter ({@code expired}) and the next one takes its place, on the same back-off.
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
    private final Timer latency;
    private final AtomicLong droppedSinceLog = new AtomicLong();
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

    // the delivery thread's state (read by status under volatile)
    private volatile Notification head;
    private volatile int headAttempts;
    private volatile int consecutiveFailures;
    private volatile Instant nextProbeAt;
    private volatile String lastFailure = "";
    private volatile boolean inFlight;
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

    /** Notifications waiting (in memory and on disk), not counting the one being tried. */
    public int queueDepth() {
        long pending = outbox.pendingCount(id);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, pending - (head != null ? 1 : 0)));
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
        Notification current = head;
        if (current != null) {
            return Optional.of(current.createdAt());
        }
        synchronized (this) {
            return Optional.ofNullable(memory.peek()).map(Notification::createdAt);
        }
    }

    public Duration oldestPendingAge() {
        return oldestPending().map(at -> Duration.between(at, clock.instant())).filter(age -> !age.isNegative())
                .orElse(Duration.ZERO);
    }

    /** Consecutive failed attempts of this sink (0 while it delivers). */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The last failure's detail, empty when none yet. */
    public String lastFailure() {
        return lastFailure;
    }

    /** When the sink's probe will be tried next, while it is backing off. */
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
        Alert alert = notification.alert();
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
        return offerNotification(alert) > 0;
    }

    /**
     * Like {@link #offer}, returning the new notification's outbox id ({@link #awaitDurable} tells when it is on disk),
     * or -1 when the relay is stopping and the alert was refused.
     */
    public long offerNotification(Alert alert) {
        if (!accepting) {
            dropped.increment();
            long count = droppedSinceLog.incrementAndGet();
            if (count == 1 || count % 1000 == 0) {
                log.error("sink {}: stopping; alert {} refused ({} refused so far)", id, alert.id(), count);
            }
            return -1;
        }
        Notification notification = outbox.add(id, alert);
        enqueue(notification);
        return notification.id();
    }

    /** Blocks until the outbox notification with this id (and every earlier one) is durable, or the outbox closed. */
    public void awaitDurable(long notificationId) throws InterruptedException {
        outbox.awaitDurable(notificationId);
    }

    /** Takes a notification already in the outbox (a re-driven dead letter) into the queue. */
    public void enqueue(Notification notification) {
        synchronized (this) {
            if (!overflow && memory.size() < policy.queueCapacity()) {
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

    /** What one {@link #step} did. */
    enum Step {
        /** Nothing to deliver. */
        IDLE,
        /** The sink is backing off; the probe is not due yet. */
        WAITING,
        /** One notification was tried (or expired). */
        ATTEMPTED
    }

    /** One unit of work: takes the next notification if none is held, and tries it if the sink is not backing off. */
    Step step() throws InterruptedException {
        Notification notification = head;
        if (notification == null) {
            notification = next();
            if (notification == null) {
                return Step.IDLE;
            }
            head = notification;
            headAttempts = 0;
        }
        Instant now = clock.instant();
        // expiry first: a notification past max-age is given up now, not at the end of the back-off it waits in
        // (the next one then waits out the same back-off)
        if (Duration.between(notification.createdAt(), now).compareTo(policy.maxAge()) > 0) {
            giveUp(notification, DeadLetter.EXPIRED, "not delivered within delivery.max-age (" + policy.maxAge()
                    + "); last answer: " + (lastFailure.isEmpty() ? "none" : lastFailure),
                    DeliveryResult.retryable(lastFailure.isEmpty() ? "expired" : lastFailure));
            expired.increment();
            return Step.ATTEMPTED;
        }
        Instant due = nextProbeAt;
        if (due != null && now.isBefore(due)) {
            return Step.WAITING;
        }
        String claimKey = null;
        if (claiming) {
            claimKey = claimKey(notification);
            DeliveryClaims.Result claim;
            try {
                claim = claims.claim(claimKey);
            } catch (RuntimeException e) {
                claim = DeliveryClaims.Result.UNAVAILABLE;
            }
            switch (claim) {
                case WON -> claimsWon.incrementAndGet();
                case UNAVAILABLE -> {
                    long count = claimsFailedOpen.incrementAndGet();
                    if (count == 1 || count % 1000 == 0) {
                        log.warn("sink {}: alert {} could not be claimed; delivering it anyway (fail open: a duplicate "
                                + "beats a miss; {} so far)", id, notification.alert().id(), count);
                    }
                }
                case DONE_ELSEWHERE -> {
                    claimsElsewhere.incrementAndGet();
                    outbox.done(notification);
                    head = null;
                    if (consecutiveFailures == 0) {
                        nextProbeAt = null; // the wait was for the other relay, not a back-off
                    }
                    log.debug("sink {}: alert {} was delivered by another relay", id, notification.alert().id());
                    return Step.ATTEMPTED;
                }
                case HELD_ELSEWHERE -> {
                    // another relay is delivering it: wait for it to finish (or for its claim to expire)
                    nextProbeAt = now.plus(claims.recheckAfter());
                    return Step.WAITING;
                }
            }
        }
        outbox.awaitDurable(notification.id());
        headAttempts++;
        if (headAttempts > 1) {
            retries.increment();
        }
        DeliveryResult result;
        inFlight = true;
        try {
            result = attempt(notification.alert());
        } finally {
            inFlight = false;
        }
        now = clock.instant();
        switch (result.outcome()) {
            case DELIVERED -> {
                markClaimDone(claimKey);
                outbox.done(notification);
                delivered.increment();
                latency.record(Duration.between(notification.createdAt(), now));
                if (consecutiveFailures > 0) {
                    log.info("sink {}: delivers again after {} failed attempt(s); releasing {} waiting", id,
                            consecutiveFailures, queueDepth() - 1 < 0 ? 0 : queueDepth() - 1);
                }
                consecutiveFailures = 0;
                nextProbeAt = null;
                head = null;
                log.debug("sink {}: alert {} delivered", id, notification.alert().id());
                tell(notification.alert(), result);
            }
            case REJECTED -> {
                markClaimDone(claimKey);
                // the receiver answered: it is reachable, so no back-off for the next one
                consecutiveFailures = 0;
                nextProbeAt = null;
                rejected.increment();
                giveUp(notification, DeadLetter.REJECTED, result.detail(), result);
            }
            case RETRYABLE -> {
                int failures = ++consecutiveFailures;
                lastFailure = result.detail();
                Duration wait = result.retryAfter()
                        .map(asked -> asked.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : asked)
                        .orElseGet(() -> policy.backoff(failures, random.getAsDouble()));
                nextProbeAt = now.plus(wait);
                log.warn("sink {}: alert {} attempt {} failed ({}); {} waiting; next try in {} ms{}", id,
                        notification.alert().id(), headAttempts, result.detail(), queueDepth(), wait.toMillis(),
                        result.retryAfter().isPresent() ? " (Retry-After)" : "");
            }
        }
        return Step.ATTEMPTED;
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

    private void giveUp(Notification notification, String reason, String answer, DeliveryResult result) {
        outbox.deadLetter(notification, headAttempts, reason, answer);
        head = null;
        log.error("sink {}: alert {} is a dead letter ({}) after {} attempt(s): {}", id, notification.alert().id(),
                reason, headAttempts, answer);
        tell(notification.alert(), result);
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

    private DeliveryResult attempt(Alert alert) {
        try {
            DeliveryResult result = sink.deliver(alert);
            return result == null ? DeliveryResult.retryable("sink returned no result") : result;
        } catch (RuntimeException e) {
            log.warn("sink {}: alert {} threw", id, alert.id(), e);
            return DeliveryResult.retryable(e.getClass().getSimpleName());
        }
    }

    private void run() {
        try {
            while (running) {
                if (!accepting && (nextProbeAt != null || (head == null && isDrained()))) {
                    return; // stopping: a failing sink is not waited for, its backlog stays in the outbox
                }
                Step step = step();
                if (step == Step.IDLE) {
                    nap(NAP_MILLIS);
                } else if (step == Step.WAITING) {
                    Instant due = nextProbeAt;
                    long millis = due == null ? 0 : Duration.between(clock.instant(), due).toMillis();
                    nap(Math.max(1, Math.min(NAP_MILLIS, millis)));
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

    /** Sleeps until there is work, the probe may be due, or {@code millis} passed. */
    private synchronized void nap(long millis) throws InterruptedException {
        if ((memory.isEmpty() && !overflow) || nextProbeAt != null) {
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
