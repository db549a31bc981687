package io.alertrelay.core.outbox;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An outbox in memory: the same contract as {@link MvStoreOutbox} except that nothing survives the process. For unit
 * tests and the in-memory benchmark; everything is durable at once.
 */
public final class InMemoryOutbox implements Outbox {
    private final Clock clock;
    private final Map<String, NavigableMap<Long, Notification>> pending = new TreeMap<>();
    private final NavigableMap<Long, DeadLetter> dead = new TreeMap<>();
    private long nextId = 1;

    public InMemoryOutbox(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    public InMemoryOutbox() {
        this(Clock.systemUTC());
    }

    @Override
    public synchronized Notification add(String sinkId, List<Alert> alerts) {
        Notification notification = Notification.of(nextId++, sinkId, alerts, clock.instant());
        pending.computeIfAbsent(sinkId, id -> new TreeMap<>()).put(notification.id(), notification);
        return notification;
    }

    @Override
    public void awaitDurable(long id) {
        // always durable (as durable as memory is)
    }

    @Override
    public synchronized void done(Notification notification) {
        pending.getOrDefault(notification.sinkId(), new TreeMap<>()).remove(notification.id());
    }

    @Override
    public synchronized DeadLetter deadLetter(Notification notification, int attempts, String reason, String answer) {
        done(notification);
        DeadLetter letter = new DeadLetter(notification.id(), notification.sinkId(), notification.alert(),
                notification.createdAt(), clock.instant(), attempts, reason, answer);
        dead.put(letter.id(), letter);
        return letter;
    }

    @Override
    public synchronized List<Notification> pending(String sinkId, long afterId, int limit) {
        List<Notification> result = new ArrayList<>();
        for (Notification notification : pending.getOrDefault(sinkId, new TreeMap<>()).tailMap(afterId, false)
                .values()) {
            if (result.size() == limit) {
                break;
            }
            result.add(notification);
        }
        return result;
    }

    @Override
    public synchronized long pendingCount(String sinkId) {
        return pending.getOrDefault(sinkId, new TreeMap<>()).size();
    }

    @Override
    public synchronized Set<String> sinkIds() {
        Set<String> ids = new TreeSet<>();
        pending.forEach((id, map) -> {
            if (!map.isEmpty()) {
                ids.add(id);
            }
        });
        dead.values().forEach(letter -> ids.add(letter.sinkId()));
        return ids;
    }

    @Override
    public synchronized List<DeadLetter> deadLetters() {
        return List.copyOf(dead.values());
    }

    @Override
    public synchronized Optional<DeadLetter> deadLetter(long id) {
        return Optional.ofNullable(dead.get(id));
    }

    @Override
    public synchronized long deadLetterCount(String sinkId) {
        return dead.values().stream().filter(letter -> letter.sinkId().equals(sinkId)).count();
    }

    @Override
    public synchronized Optional<Notification> redrive(long deadLetterId) {
        DeadLetter letter = dead.remove(deadLetterId);
        return letter == null ? Optional.empty() : Optional.of(add(letter.sinkId(), letter.alert()));
    }

    @Override
    public synchronized boolean purge(long deadLetterId) {
        return dead.remove(deadLetterId) != null;
    }

    @Override
    public void flush() {
        // nothing to write
    }

    @Override
    public void close() {
        // nothing to release
    }
}
