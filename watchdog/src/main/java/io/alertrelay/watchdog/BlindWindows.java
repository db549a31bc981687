package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blind-window accounting: every interval in which a subscription was not provably live, told to humans.
 *
 * <p>A window for a subscription (by name: {@code alerts:*}) opens when
 * <ul>
 *   <li>the source reports the subscription lost ({@link #subscriptionLost}; start = that time), or</li>
 *   <li>a canary for it came back on no node ({@link #canaryMissed}; start = when that canary was sent).</li>
 * </ul>
 * An open window only ever moves its start earlier. It closes when a canary for the subscription comes back that was
 * sent after the window opened and, if the subscription was lost, after it was acknowledged again
 * ({@link #subscriptionRestored} then {@link #onCanaryReceived}); the end is when that canary was sent (it is the first
 * proof), but no earlier than the re-acknowledgement. A subscription no canary covers closes at its re-acknowledgement.
 * If the canary that opened a window merely arrives late, the window is dropped: nothing was missed.
 *
 * <p>Each closed window is logged at WARN, raised as a warning relay-health alert (a one-off notice with its own id,
 * never resolved) and kept among the last {@value #RECENT_WINDOWS_CAPACITY}. Windows still open at shutdown are not
 * reported. Thread-safe; the alert is raised outside the lock.
 */
public final class BlindWindows {
    /** How many closed windows {@link #recent()} keeps. */
    public static final int RECENT_WINDOWS_CAPACITY = 1000;
    /** {@code component} label of blind-window alerts. */
    public static final String COMPONENT = "blind-window";

    private static final Logger log = LoggerFactory.getLogger(BlindWindows.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final HealthAlerts healthAlerts;
    private final String relayInstance;
    private final Clock clock;

    private final Map<String, Open> open = new LinkedHashMap<>();
    private final Set<String> coveredByCanary = new HashSet<>();
    private final Deque<BlindWindow> recent = new ArrayDeque<>();
    private long closedCount;
    private long totalMillis;
    private BlindWindow last;

    public BlindWindows(HealthAlerts healthAlerts, String relayInstance, Clock clock) {
        this.healthAlerts = requireNonNull(healthAlerts, "healthAlerts is null");
        this.relayInstance = requireNonNull(relayInstance, "relayInstance is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * A closed window. {@code node} is the Redis node whose writes it concerns (where the subscription was lost, or
     * where the missed canary was published; empty when unknown); {@code seconds} is {@code end - start};
     * {@code message} is what humans are told.
     */
    public record BlindWindow(String subscription, String node, Instant start, Instant end, double seconds,
                              String reason, String closedBy, String message) {}

    /**
     * A window still open.
     *
     * @param awaitingAcknowledgement the subscription was lost and is not acknowledged again yet
     */
    public record OpenBlindWindow(String subscription, Instant start, String reason, boolean awaitingAcknowledgement,
                                  Optional<Instant> acknowledgedAt) {}

    /** For {@code /status}: open windows, the kept closed ones (newest first) and the metrics. */
    public record BlindWindowsStatus(List<OpenBlindWindow> open, List<BlindWindow> recent, long closedCount,
                                     double totalSeconds, double lastSeconds) {}

    /** The subscriptions a canary proves (the others close at re-acknowledgement). Set by the canary monitor. */
    public synchronized void coveredByCanary(Collection<String> subscriptions) {
        coveredByCanary.clear();
        coveredByCanary.addAll(subscriptions);
    }

    /**
     * The subscription left its live state (SUBSCRIBED/VERIFIED) on the node where it should be; the app calls this
     * from the source's state listener for each subscription on the connection.
     */
    public void subscriptionLost(String node, String subscription, Instant at, String reason) {
        synchronized (this) {
            Open window = open.get(subscription);
            if (window == null) {
                open.put(subscription, new Open(subscription, node, at, "subscription lost on " + node + ": " + reason));
                log.info("blind window opened on {} at {} UTC: subscription lost on {}: {}",
                        subscription, TIME.format(at), node, reason);
            } else {
                window.moveStartTo(at);
                if (!window.awaitingAcknowledgement) {
                    log.info("blind window on {} (open since {} UTC): subscription lost on {}: {}",
                            subscription, TIME.format(window.start), node, reason);
                }
            }
            Open current = open.get(subscription);
            current.awaitingAcknowledgement = true;
            current.acknowledgedAt = null;
        }
    }

    /** The server acknowledged the subscription again. Closes the window now if no canary covers it. */
    public void subscriptionRestored(String node, String subscription, Instant at) {
        BlindWindow closed = null;
        synchronized (this) {
            Open window = open.get(subscription);
            if (window == null || !window.awaitingAcknowledgement) {
                return;
            }
            window.awaitingAcknowledgement = false;
            window.acknowledgedAt = at;
            if (!coveredByCanary.contains(subscription)) {
                closed = close(window, at, "subscription acknowledged again on " + node + " (no canary covers it)");
            } else {
                log.info("subscription {} acknowledged again on {}; blind window closes with the next canary",
                        subscription, node);
            }
        }
        announce(closed);
    }

    /** No expected node received the canary for {@code subscription} sent at {@code sentAt}; {@code reason} says why. */
    public void canaryMissed(String subscription, Instant sentAt, String reason) {
        canaryMissed("", subscription, sentAt, reason);
    }

    /** {@link #canaryMissed(String, Instant, String)} for a canary published on {@code node}. */
    public void canaryMissed(String node, String subscription, Instant sentAt, String reason) {
        synchronized (this) {
            Open window = open.get(subscription);
            if (window == null) {
                open.put(subscription, new Open(subscription, node, sentAt, reason));
                log.info("blind window opened on {} at {} UTC: {}", subscription, TIME.format(sentAt), reason);
            } else {
                window.moveStartTo(sentAt);
            }
        }
    }

    /** A canary for {@code subscription}, sent at {@code sentAt}, came back on {@code node}. */
    public void onCanaryReceived(String node, String subscription, Instant sentAt, Instant receivedAt) {
        BlindWindow closed = null;
        synchronized (this) {
            Open window = open.get(subscription);
            if (window == null || window.awaitingAcknowledgement || sentAt.isBefore(window.start)) {
                return;
            }
            Instant end = window.acknowledgedAt != null && window.acknowledgedAt.isAfter(sentAt)
                    ? window.acknowledgedAt
                    : sentAt;
            if (!end.isAfter(window.start)) {
                open.remove(subscription);
                log.info("canary on {} sent at {} UTC arrived late (at {} UTC on {}); it was delivered, no blind window",
                        subscription, TIME.format(sentAt), TIME.format(receivedAt), node);
                return;
            }
            closed = close(window, end, "canary sent at " + TIME.format(sentAt) + " UTC received on " + node);
        }
        announce(closed);
    }

    /** Closed windows, newest first, at most {@value #RECENT_WINDOWS_CAPACITY}. */
    public synchronized List<BlindWindow> recent() {
        List<BlindWindow> newestFirst = new ArrayList<>(recent.size());
        Iterator<BlindWindow> iterator = recent.descendingIterator();
        while (iterator.hasNext()) {
            newestFirst.add(iterator.next());
        }
        return newestFirst;
    }

    public synchronized List<OpenBlindWindow> open() {
        List<OpenBlindWindow> result = new ArrayList<>();
        for (Open window : open.values()) {
            result.add(new OpenBlindWindow(window.subscription, window.start, window.reason,
                    window.awaitingAcknowledgement, Optional.ofNullable(window.acknowledgedAt)));
        }
        return result;
    }

    public synchronized BlindWindowsStatus status() {
        return new BlindWindowsStatus(open(), recent(), closedCount, totalSeconds(), lastSeconds());
    }

    /** Metric: closed windows since start. */
    public synchronized long closedCount() {
        return closedCount;
    }

    /** Metric: the length of all closed windows, in seconds. */
    public synchronized double totalSeconds() {
        return totalMillis / 1000.0;
    }

    /** Metric: the length of the last closed window in seconds, 0 before the first. */
    public synchronized double lastSeconds() {
        return last == null ? 0 : last.seconds();
    }

    public synchronized Optional<BlindWindow> last() {
        return Optional.ofNullable(last);
    }

    public synchronized int openCount() {
        return open.size();
    }

    /**
     * {@code Alerts published on alerts:* between 12:03:10.412 and 12:03:11.873 UTC (1.46 s) may not have been
     * delivered.} Times are UTC, to the millisecond ({@code yyyy-MM-dd HH:mm:ss.SSS} for both when the window spans
     * two days); the duration is formatted by {@link Durations#seconds}.
     */
    public static String message(String subscription, Instant start, Instant end) {
        Instant from = start.truncatedTo(ChronoUnit.MILLIS);
        Instant to = end.truncatedTo(ChronoUnit.MILLIS);
        boolean sameDay = from.truncatedTo(ChronoUnit.DAYS).equals(to.truncatedTo(ChronoUnit.DAYS));
        DateTimeFormatter format = sameDay ? TIME : DATE_TIME;
        return "Alerts published on " + subscription + " between " + format.format(from) + " and " + format.format(to)
                + " UTC (" + Durations.seconds(Duration.between(from, to)) + ") may not have been delivered.";
    }

    private BlindWindow close(Open window, Instant end, String closedBy) {
        open.remove(window.subscription);
        long millis = Duration.between(window.start.truncatedTo(ChronoUnit.MILLIS), end.truncatedTo(ChronoUnit.MILLIS))
                .toMillis();
        BlindWindow closed = new BlindWindow(window.subscription, window.node, window.start, end, millis / 1000.0,
                window.reason,
                closedBy, message(window.subscription, window.start, end));
        recent.addLast(closed);
        while (recent.size() > RECENT_WINDOWS_CAPACITY) {
            recent.removeFirst();
        }
        closedCount++;
        totalMillis += millis;
        last = closed;
        return closed;
    }

    private void announce(BlindWindow closed) {
        if (closed == null) {
            return;
        }
        log.warn("{} Cause: {}. Closed by: {}.", closed.message(), closed.reason(), closed.closedBy());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("blind_window_start", closed.start().toString());
        extra.put("blind_window_end", closed.end().toString());
        extra.put("blind_window_seconds", closed.seconds());
        extra.put("cause", closed.reason());
        Alert alert = RelayHealthAlerts.alert(
                "relay-blind-window:" + relayInstance + ":" + closed.subscription() + ":" + closed.start().toEpochMilli(),
                Status.FIRING, Severity.WARNING,
                "Alert Relay may have missed alerts on " + closed.subscription(),
                closed.message() + " Cause: " + closed.reason() + ".",
                COMPONENT, relayInstance, Map.of("subscription", closed.subscription()), extra, clock.instant());
        try {
            healthAlerts.raise(alert);
        } catch (RuntimeException e) {
            log.warn("could not raise the blind-window alert for {}: {}", closed.subscription(), e.toString());
        }
    }

    private static final class Open {
        final String subscription;
        final String node;
        Instant start;
        final String reason;
        boolean awaitingAcknowledgement;
        Instant acknowledgedAt;

        Open(String subscription, String node, Instant start, String reason) {
            this.subscription = subscription;
            this.node = node;
            this.start = start;
            this.reason = reason;
        }

        void moveStartTo(Instant candidate) {
            if (candidate.isBefore(start)) {
                start = candidate;
            }
        }
    }
}
