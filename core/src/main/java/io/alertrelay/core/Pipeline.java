package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path of an event: decode, route, and hand off to each target sink's outbox and queue.
 *
 * <p>With an ingest queue ({@code events.ingest-queue}, the relay's default), {@link #onMessage} only puts the message
 * in a bounded queue on the source's I/O thread, and one pipeline thread decodes, routes and records it. The I/O thread
 * thus keeps reading at the speed of the client library, so a storm never makes Redis disconnect the relay for its
 * output-buffer limit, and PONGs are never stuck behind a backlog (which would trip the source's PING deadline). What
 * does not fit in the queue is <em>shed</em>: read, counted ({@code alertrelay.events.shed}), logged (the first and
 * every 10,000th), never processed. Without an ingest queue (capacity 0: tests, benchmarks) everything runs on the
 * caller's thread, which must then not be an I/O thread under load.
 */
public final class Pipeline implements MessageHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
    /** How many recent rejections {@link #recentRejections()} keeps. */
    public static final int RECENT_REJECTIONS = 100;

    private final EventDecoder decoder;
    private final Notifier notifier;
    /** The workers by sink id (and the routes that name them), swapped whole by {@link #reconfigure} under routingLock. */
    private volatile Routing routing;
    private final Object routingLock = new Object();
    private final MeterRegistry metrics;
    private final Counter received;
    private final Counter unrouted;
    private final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();
    private final Deque<Rejection> recentRejections = new ArrayDeque<>();
    private final List<AlertObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<AlertObserver> canaryObservers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Predicate<Alert> isCanary = alert -> false;
    private final Counter canariesAbsorbed;
    private final Counter shed;
    private final java.util.concurrent.atomic.AtomicLong shedSinceStart = new java.util.concurrent.atomic.AtomicLong();
    /** Messages read from the source and not processed yet; null = process on the caller's thread. */
    private final java.util.concurrent.BlockingQueue<Ingested> ingest;
    private final Thread ingestThread;
    private volatile boolean ingesting = true;
    /** Completes messages that want to hear back (stream entries) once durable; made on first use. */
    private volatile DurableCompletions completions;

    private record Routing(List<Route> routes, Map<String, SinkWorker> workers) {
        Routing {
            routes = List.copyOf(routes);
            workers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(workers));
            for (Route route : routes) {
                for (String sink : route.sinks()) {
                    if (!workers.containsKey(sink)) {
                        throw new IllegalArgumentException("route names unknown sink " + sink);
                    }
                }
            }
        }
    }

    /** A message waiting for the pipeline thread: a delivered one, or a copy from another node (canaries only). */
    private record Ingested(InboundMessage message, boolean duplicate) {}

    /**
     * Observes decoded alerts with the node they arrived from ({@code "-"} for alerts made inside the relay). Called on
     * the pipeline thread (or the source's I/O thread without an ingest queue): must not block.
     */
    @FunctionalInterface
    public interface AlertObserver {
        void onAlert(Alert alert, String node);
    }

    /** A pipeline that processes each message on the caller's thread (no ingest queue). */
    public Pipeline(EventDecoder decoder, List<Route> routes, List<SinkWorker> workers, MeterRegistry metrics) {
        this(decoder, routes, workers, metrics, 0);
    }

    /**
     * @param ingestCapacity messages that may wait for the pipeline thread ({@code events.ingest-queue}); 0 = no queue,
     *                       process on the caller's thread
     */
    public Pipeline(EventDecoder decoder, List<Route> routes, List<SinkWorker> workers, MeterRegistry metrics,
            int ingestCapacity) {
        this(decoder, Notifier.inMemory(Router.of(routes), java.time.Clock.systemUTC(), metrics), workers, metrics,
                ingestCapacity);
    }

    /**
     * @param notifier       routes, silences, the repeat rule and groups (see {@link Notifier}); the pipeline starts
     *                       and closes it
     * @param ingestCapacity messages that may wait for the pipeline thread ({@code events.ingest-queue}); 0 = no queue,
     *                       process on the caller's thread
     */
    public Pipeline(EventDecoder decoder, Notifier notifier, List<SinkWorker> workers, MeterRegistry metrics,
            int ingestCapacity) {
        if (ingestCapacity < 0) {
            throw new IllegalArgumentException("ingestCapacity must not be negative");
        }
        this.ingest = ingestCapacity == 0 ? null : new java.util.concurrent.ArrayBlockingQueue<>(ingestCapacity);
        this.ingestThread = ingestCapacity == 0 ? null : new Thread(this::runIngest, "pipeline");
        if (ingestThread != null) {
            ingestThread.setDaemon(true);
        }
        this.decoder = requireNonNull(decoder, "decoder is null");
        this.notifier = requireNonNull(notifier, "notifier is null");
        Map<String, SinkWorker> byId = new LinkedHashMap<>();
        for (SinkWorker worker : workers) {
            byId.put(worker.id(), worker);
        }
        this.routing = new Routing(notifier.router().all(), byId); // throws if a route names no worker
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.received = Counter.builder("alertrelay.events.received").description("Messages read from the source")
                .register(metrics);
        this.unrouted = Counter.builder("alertrelay.events.unrouted").description("Alerts no route matched")
                .register(metrics);
        notifier.deliverTo((sinkId, alerts) -> {
            synchronized (routingLock) { // a group flushed on the notifier's thread, while a reload swaps workers
                SinkWorker worker = routing.workers().get(sinkId);
                if (worker != null) {
                    worker.offerAll(alerts);
                } else {
                    log.error("Sink {} is gone (removed by a reload); a notification of {} alert(s) for it is not "
                            + "delivered", sinkId, alerts.size());
                }
            }
        });
        this.canariesAbsorbed = Counter.builder("alertrelay.canaries.absorbed")
                .description("Canaries that reached the sinks' edge and were not sent to people").register(metrics);
        this.shed = Counter.builder("alertrelay.events.shed")
                .description("Messages read from the source but shed because the ingest queue was full").register(metrics);
        if (ingest != null) {
            io.micrometer.core.instrument.Gauge.builder("alertrelay.events.ingest.depth", ingest,
                    java.util.Collection::size).description("Messages read and waiting for the pipeline thread")
                    .register(metrics);
        }
        for (String reason : List.of(Rejection.NOT_JSON, Rejection.MISSING_TITLE, Rejection.WRONG_TYPE,
                Rejection.TOO_LARGE)) {
            rejectedCounter(reason);
        }
    }

    /** Observes every decoded alert that is not a canary (the watchdog's stream statistics). */
    public void addObserver(AlertObserver observer) {
        observers.add(requireNonNull(observer, "observer is null"));
    }

    /**
     * Declares which alerts are canaries. A canary is decoded and routed like any alert, then, at the sinks' edge,
     * absorbed: it goes only to the sinks of routes that ask for canaries ({@link Route#canaries()}). Canary observers
     * see each one with the node it arrived from.
     */
    public void setCanaryFilter(java.util.function.Predicate<Alert> isCanary, AlertObserver observer) {
        this.isCanary = requireNonNull(isCanary, "isCanary is null");
        canaryObservers.add(requireNonNull(observer, "observer is null"));
    }

    public void start() {
        routing.workers().values().forEach(SinkWorker::start);
        notifier.start();
        if (ingestThread != null) {
            ingestThread.start();
        }
    }

    /** Messages shed since start because the ingest queue was full. */
    public long shedCount() {
        return shedSinceStart.get();
    }

    /** Messages read and waiting for the pipeline thread (0 without an ingest queue). */
    public int ingestDepth() {
        return ingest == null ? 0 : ingest.size();
    }

    @Override
    public void onMessage(InboundMessage message) {
        if (ingest != null) {
            handOff(new Ingested(message, false));
        } else {
            process(message);
        }
    }

    private void handOff(Ingested item) {
        if (ingesting && ingest.offer(item)) {
            return;
        }
        shed.increment();
        long count = shedSinceStart.incrementAndGet();
        if (count == 1 || count % 10_000 == 0) {
            log.error("Ingest queue full ({} messages waiting) or stopping: a message on channel {} from {} was read and"
                    + " shed ({} shed so far); the relay cannot keep up with this rate", ingest.size(),
                    item.message().channel(), item.message().node(), count);
        }
    }

    private void runIngest() {
        while (true) {
            Ingested item;
            try {
                item = ingest.take();
            } catch (InterruptedException e) {
                return;
            }
            if (item.duplicate()) {
                observeDuplicate(item.message());
            } else {
                process(item.message());
            }
        }
    }

    private void process(InboundMessage message) {
        try {
            received.increment();
            EventDecoder.Result result = decoder.decode(message);
            if (result instanceof EventDecoder.Decoded decoded) {
                long upToId = dispatch(decoded.alert(), message.node());
                if (upToId >= 0 && message.wantsCompletion()) {
                    completions().completeWhenDurable(upToId, message.onHandled());
                }
            } else if (result instanceof EventDecoder.Rejected rejected) {
                reject(rejected.rejection());
                if (message.wantsCompletion()) {
                    completions().completeWhenDurable(0, message.onHandled());
                }
            }
        } catch (RuntimeException e) {
            // never let one message break the source's I/O thread
            log.error("Unexpected failure handling a message on channel {}", message.channel(), e);
        }
    }

    /**
     * A copy of a message the source already delivered from another node (every-node subscriptions): never routed
     * again, only shown to the canary observers, so a canary is seen coming back through every node. Called on the
     * source's I/O thread.
     */
    public void onDuplicate(InboundMessage message) {
        if (ingest != null) {
            handOff(new Ingested(message, true));
        } else {
            observeDuplicate(message);
        }
    }

    private void observeDuplicate(InboundMessage message) {
        try {
            if (decoder.decode(message) instanceof EventDecoder.Decoded decoded && isCanary.test(decoded.alert())) {
                for (AlertObserver observer : canaryObservers) {
                    observer.onAlert(decoded.alert(), message.node());
                }
            }
        } catch (RuntimeException e) {
            log.warn("Duplicate from {} on channel {} could not be observed", message.node(), message.channel(), e);
        }
    }

    /**
     * A message the source could not read a payload from (a stream entry without its field): recorded as a rejection
     * with this reason, then completed, so the source acknowledges it and never reads it again.
     */
    @Override
    public void onUnreadable(InboundMessage message, String reason, String detail) {
        received.increment();
        reject(new Rejection(reason, detail, message.channel(), "", 0, message.receivedAt()));
        if (message.wantsCompletion()) {
            completions().completeWhenDurable(0, message.onHandled());
        }
    }

    private DurableCompletions completions() {
        DurableCompletions current = completions;
        if (current == null) {
            synchronized (this) {
                if (completions == null) {
                    // every worker shares the one outbox
                    SinkWorker any = routing.workers().values().iterator().next();
                    completions = new DurableCompletions(any::awaitDurable);
                }
                current = completions;
            }
        }
        return current;
    }

    /** Routes an alert that did not come from the source. */
    public void dispatch(Alert alert) {
        long ignored = dispatch(alert, "-");
    }

    /**
     * @return the highest outbox id made from it (wait for that to be durable), 0 when nothing was made (unrouted,
     *         absorbed), -1 when a sink refused it (stopping)
     */
    private long dispatch(Alert alert, String node) {
        boolean canary = isCanary.test(alert);
        for (AlertObserver observer : canary ? canaryObservers : observers) {
            try {
                observer.onAlert(alert, node);
            } catch (RuntimeException e) {
                log.warn("Alert observer {} failed", observer, e);
            }
        }
        synchronized (routingLock) { // a reconfigure never closes a worker this dispatch is offering to
            return route(alert, canary);
        }
    }

    private long route(Alert alert, boolean canary) {
        Map<String, SinkWorker> workers = routing.workers();
        if (canary) {
            // canaries test the path: every matching route that asks for them, whatever `continue` says; no silence,
            // repeat rule or group holds them back
            Set<String> targets = new LinkedHashSet<>();
            notifier.router().all().stream().filter(route -> route.canaries() && route.matches(alert))
                    .forEach(route -> targets.addAll(route.sinks()));
            if (targets.isEmpty()) {
                canariesAbsorbed.increment();
            }
            return offer(targets, List.of(alert));
        }
        List<Route> matched = notifier.router().select(alert);
        if (matched.isEmpty()) {
            unrouted.increment();
            if (notifier.logUnrouted(alert.origin().channel())) {
                log.warn("Alert {} on channel {} matched no route and no default-sinks are configured; not delivered "
                        + "(counted in alertrelay_events_unrouted_total; logged once per channel per hour)", alert.id(),
                        alert.origin().channel());
            }
            return 0;
        }
        // the notifier offers what it sends now (the repeat rule and groups may hold it back: then nothing is made
        // now, and a group's alerts wait in the notifier's state store); every notification it made is at most the
        // highest outbox id recorded by then (all sinks share one outbox), so waiting for that one is enough
        for (SinkWorker worker : workers.values()) {
            if (!worker.accepting()) {
                // stopping: not handed to the notifier, whose repeat rule would remember it as sent; a stream entry
                // stays unacknowledged and is read again after the restart
                long count = refusedWhileStopping.incrementAndGet();
                if (count == 1 || count % 1000 == 0) {
                    log.error("Stopping: alert {} on channel {} not processed ({} so far)", alert.id(),
                            alert.origin().channel(), count);
                }
                return -1;
            }
        }
        notifier.accept(alert, matched);
        long upToId = 0;
        for (SinkWorker worker : workers.values()) {
            upToId = Math.max(upToId, worker.lastRecordedId());
        }
        return upToId;
    }

    /** Offers one notification of these alerts to each sink; the highest outbox id, or -1 if a sink refused it. */
    private long offer(Set<String> sinkIds, List<Alert> alerts) {
        long upToId = 0;
        for (String target : sinkIds) {
            long id = routing.workers().get(target).offerNotification(alerts);
            upToId = id < 0 || upToId < 0 ? -1 : Math.max(upToId, id);
        }
        return upToId;
    }

    private final java.util.concurrent.atomic.AtomicLong refusedWhileStopping = new java.util.concurrent.atomic.AtomicLong();

    public Notifier notifier() {
        return notifier;
    }

    /** Hands an alert straight to the named sinks, skipping routes and listeners. */
    public void dispatchTo(Alert alert, List<String> sinkIds) {
        synchronized (routingLock) {
            for (String sinkId : sinkIds) {
                SinkWorker worker = routing.workers().get(sinkId);
                if (worker != null) {
                    worker.offer(alert);
                }
            }
        }
    }

    /**
     * Replaces the routes and the sinks while alerts flow (a configuration reload). Workers of {@code added} ids that
     * exist already replace them (a changed sink); the others are new. Make before break: from the swap on, every
     * alert is recorded for the new workers; a replaced or removed worker then stops taking alerts, delivers what it
     * holds for up to {@code drainTimeout} and is closed; what it did not deliver stays in the outbox, where the new
     * worker of the same id (started after the old one stopped, so no notification is sent by both) picks it up. No
     * alert is dropped: the swap and every dispatch hold the same lock.
     *
     * @param added   workers not started yet; started here
     * @param removed ids whose workers are closed (their undelivered notifications stay in the outbox)
     * @return the workers that were closed (replaced or removed)
     */
    public List<SinkWorker> reconfigure(List<Route> routes, List<SinkWorker> added, Set<String> removed,
                                        Duration drainTimeout) {
        List<SinkWorker> retired = new ArrayList<>();
        synchronized (routingLock) {
            Map<String, SinkWorker> next = new LinkedHashMap<>(routing.workers());
            for (String id : removed) {
                SinkWorker old = next.remove(id);
                if (old != null) {
                    retired.add(old);
                }
            }
            for (SinkWorker worker : added) {
                SinkWorker old = next.put(worker.id(), worker);
                if (old != null) {
                    retired.add(old);
                }
            }
            this.routing = new Routing(routes, next); // throws (and changes nothing) if a route names no worker
            notifier.reroute(new Router(routes, notifier.router().defaultSinks()));
        }
        for (SinkWorker old : retired) {
            old.close(drainTimeout);
        }
        added.forEach(SinkWorker::start);
        return retired;
    }

    /** The routes in use now. */
    public List<Route> routes() {
        return routing.routes();
    }

    private void reject(Rejection rejection) {
        rejectedCounter(rejection.reason()).increment();
        synchronized (recentRejections) {
            if (recentRejections.size() == RECENT_REJECTIONS) {
                recentRejections.removeFirst();
            }
            recentRejections.addLast(rejection);
        }
        log.warn("Rejected event on channel {} ({}, {} bytes): {}; payload starts: {}", rejection.channel(),
                rejection.reason(), rejection.size(), rejection.detail(), rejection.excerpt());
    }

    private Counter rejectedCounter(String reason) {
        return rejectedByReason.computeIfAbsent(reason, r -> Counter.builder("alertrelay.events.rejected")
                .description("Messages that were not valid events").tag("reason", r).register(metrics));
    }

    public List<Rejection> recentRejections() {
        synchronized (recentRejections) {
            return new ArrayList<>(recentRejections);
        }
    }

    /** The sinks' workers now, by id (a snapshot: a reload may replace them). */
    public Map<String, SinkWorker> workers() {
        return routing.workers();
    }

    /**
     * Processes what the ingest queue holds, then drains every sink, for up to {@code drainTimeout} in total, then
     * closes them. Messages still in the ingest queue at the deadline are counted as shed and logged.
     */
    public void close(Duration drainTimeout) {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        if (ingestThread != null) {
            ingesting = false;
            while (!ingest.isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            ingestThread.interrupt();
            int left = ingest.size();
            ingest.clear();
            if (left > 0) {
                shed.increment(left);
                shedSinceStart.addAndGet(left);
                log.error("{} messages read from Redis were not processed before the shutdown deadline", left);
            }
        }
        notifier.close();
        for (SinkWorker worker : routing.workers().values()) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            worker.close(Duration.ofMillis(left));
        }
        if (completions != null) {
            completions.close();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
