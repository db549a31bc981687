package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Collapses the copies of one published message that arrive on several nodes (PUBLISH is replicated to replicas)
 * while keeping repeated publications of the same payload as separate alerts.
 *
 * <p>Per key (pattern, channel, payload) it keeps a receipt count per node and a delivered count. A receipt from node
 * N increments N's count and is delivered iff N's count is now greater than the delivered count (which is then
 * incremented). A key is forgotten {@code window} after its last receipt, and at most {@code maxEntries} keys are kept
 * (the least recently seen is evicted). Without I/O; thread-safe.
 *
 * <p>Limits: two identical payloads published on <em>different</em> nodes within the window (one each) collapse into
 * one delivery; a node that missed a copy (reconnecting) and later hears a second, identical publication that no other
 * node delivered, does not deliver it. A copy arriving more than the window after the first is delivered again.
 */
final class MessageDeduplicator {
    private final Clock clock;
    private final Duration window;
    private final int maxEntries;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long evicted;

    MessageDeduplicator(Clock clock, Duration window, int maxEntries) {
        this.clock = requireNonNull(clock, "clock is null");
        this.window = requireNonNull(window, "window is null");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
    }

    /** Records a receipt of a message on {@code node}; true when it is to be delivered. */
    synchronized boolean receive(String node, Optional<String> pattern, String channel, String payload) {
        Instant now = clock.instant();
        expire(now);
        Key key = new Key(pattern.orElse(null), channel, payload);
        Entry entry = entries.get(key);   // access order: moves it to the tail
        if (entry == null) {
            entry = new Entry();
            entries.put(key, entry);
            while (entries.size() > maxEntries) {
                Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
                oldest.next();
                oldest.remove();
                evicted++;
            }
        }
        entry.lastSeen = now;
        long count = entry.perNode.merge(node, 1L, Long::sum);
        if (count > entry.delivered) {
            entry.delivered++;
            return true;
        }
        return false;
    }

    synchronized int size() {
        return entries.size();
    }

    /** How many keys were dropped because {@code maxEntries} was reached. */
    synchronized long evicted() {
        return evicted;
    }

    private void expire(Instant now) {
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry oldest = it.next().getValue();
            if (oldest.lastSeen.plus(window).isAfter(now)) {
                return;   // access order: everything after it was seen later
            }
            it.remove();
        }
    }

    private record Key(String pattern, String channel, String payload) {
        Key {
            Objects.requireNonNull(channel, "channel is null");
            Objects.requireNonNull(payload, "payload is null");
        }
    }

    private static final class Entry {
        final Map<String, Long> perNode = new HashMap<>(4);
        long delivered;
        Instant lastSeen;
    }
}
