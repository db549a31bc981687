package io.alertrelay.core.outbox;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.SinkState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox in one H2 MVStore file, {@code <delivery.dir>/outbox.mv.db}: a map per sink of pending notifications
 * (id to JSON) and one map of dead letters.
 *
 * <p>Every write goes through one queue to one flusher thread, which applies a batch, commits and fsyncs once, then
 * tells {@link #awaitDurable} waiters: a group commit. A commit starts as soon as there is something to write and the
 * pause after the previous commit is over: the pause lasts as long as that commit took, and never longer than the
 * flush interval. So a notification waits at most one flush interval (plus the commit in progress) before its own
 * commit starts; an idle or lightly loaded relay pays about one commit and fsync of latency (a fraction of a
 * millisecond on a local SSD) instead of half a flush interval; and under load, when commits take longer, the pause
 * grows with them and each commit covers more notifications, so commits never take more than about half the
 * flusher's time.
 * Ids are taken and writes queued under one lock, so the queue is in id order and "durable up to id N" is exact.
 *
 * <p>Opening: {@code delivery.dir} is created if missing and locked ({@link DataDirectoryLock}). A store file that
 * cannot be opened or read through is reported, renamed to {@code outbox.mv.db.corrupt-<UTC time>} and replaced by an
 * empty one: the relay starts (a crash loop would lose every new alert too) and the old file is kept for inspection.
 */
public final class MvStoreOutbox implements Outbox {
    public static final String FILE_NAME = "outbox.mv.db";
    private static final Logger log = LoggerFactory.getLogger(MvStoreOutbox.class);
    private static final String PENDING_PREFIX = "pending.";
    private static final String DEAD = "dead";
    private static final String STATE_PREFIX = "state.";
    /** A sink's state entry not written for this long is dropped (checked every {@link #STATE_PRUNE_EVERY} puts). */
    public static final Duration STATE_RETENTION = Duration.ofDays(90);
    static final int STATE_PRUNE_EVERY = 1000;
    private static final DateTimeFormatter ASIDE_SUFFIX =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What happened to a store that could not be opened. */
    public record Recovery(Path movedTo, String problem, Instant at) {}

    private final Path dir;
    private final DataDirectoryLock lock;
    private final MVStore store;
    private final MVMap<Long, byte[]> dead;
    private final Map<String, MVMap<Long, byte[]>> pendingMaps = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> pendingCounts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deadCounts = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long flushIntervalNanos;
    private final Optional<Recovery> recovery;
    private final LinkedBlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    private final Object idLock = new Object();
    private final Thread flusher;
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private long nextId;                  // guarded by idLock
    private long durableUpTo;             // guarded by this
    private volatile boolean closed;
    private int unreadable;

    /** One change, applied on the flusher thread. {@code addedId} is the id a new notification got, else 0. */
    private record Write(long addedId, Runnable apply, CompletableFuture<Void> flushed) {}

    private MvStoreOutbox(Path dir, DataDirectoryLock lock, MVStore store, Optional<Recovery> recovery,
                          Duration flushInterval, Clock clock) {
        this.dir = dir;
        this.lock = lock;
        this.store = store;
        this.recovery = recovery;
        this.clock = clock;
        this.flushIntervalNanos = flushInterval.toNanos();
        this.dead = store.openMap(DEAD);
        long maxId = dead.isEmpty() ? 0 : dead.lastKey();
        for (String name : store.getMapNames()) {
            if (name.startsWith(PENDING_PREFIX)) {
                MVMap<Long, byte[]> map = store.openMap(name);
                String sinkId = name.substring(PENDING_PREFIX.length());
                pendingMaps.put(sinkId, map);
                pendingCounts.put(sinkId, new AtomicLong(map.sizeAsLong()));
                if (!map.isEmpty()) {
                    maxId = Math.max(maxId, map.lastKey());
                }
            }
        }
        for (byte[] value : dead.values()) {
            try {
                deadCounts.computeIfAbsent(RecordCodec.deadLetter(0, value).sinkId(), s -> new AtomicLong())
                        .incrementAndGet();
            } catch (IOException e) {
                unreadable++;
            }
        }
        this.nextId = maxId + 1;
        this.durableUpTo = maxId;
        this.flusher = new Thread(this::flushLoop, "outbox-flusher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    /**
     * Opens (creating if needed) the outbox in {@code dir}.
     *
     * @throws OutboxUnavailableException when the directory is locked by another relay or cannot be used
     */
    public static MvStoreOutbox open(Path dir, Duration flushInterval, Clock clock) {
        requireNonNull(dir, "dir is null");
        requireNonNull(flushInterval, "flushInterval is null");
        requireNonNull(clock, "clock is null");
        DataDirectoryLock lock = DataDirectoryLock.acquire(dir);
        try {
            Path file = dir.resolve(FILE_NAME);
            Optional<Recovery> recovery = Optional.empty();
            MVStore store;
            try {
                store = openAndCheck(file);
            } catch (RuntimeException e) {
                Instant now = clock.instant();
                Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + ASIDE_SUFFIX.format(now));
                String problem = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
                try {
                    Files.move(file, aside);
                } catch (IOException moveFailure) {
                    throw new OutboxUnavailableException("delivery.dir: the outbox " + file.toAbsolutePath()
                            + " cannot be read (" + problem + ") nor moved aside: " + moveFailure.getMessage(), e);
                }
                log.error("The outbox {} could not be read ({}). It was moved aside to {} and the relay starts with an "
                        + "empty outbox: notifications that were pending in it are NOT delivered; inspect the old file "
                        + "with the H2 tools (org.h2.mvstore.MVStoreTool) if they matter.", file.toAbsolutePath(),
                        problem, aside.getFileName());
                recovery = Optional.of(new Recovery(aside, problem, now));
                store = openAndCheck(file);
            }
            return new MvStoreOutbox(dir, lock, store, recovery, flushInterval, clock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Opens the store and reads every record once, so a damaged page is found now, while it can be moved aside. */
    private static MVStore openAndCheck(Path file) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        try {
            for (String name : store.getMapNames()) {
                MVMap<Long, byte[]> map = store.openMap(name);
                for (Iterator<Long> keys = map.keyIterator(null); keys.hasNext(); ) {
                    map.get(keys.next());
                }
            }
            return store;
        } catch (RuntimeException e) {
            store.closeImmediately();
            throw e;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    public Path directory() {
        return dir;
    }

    /** Set when the store found at start could not be read and was moved aside. */
    public Optional<Recovery> recovery() {
        return recovery;
    }

    /** Group commits (each one fsync) so far. */
    public long flushes() {
        return flushes.get();
    }

    /** Flushes that failed to reach the disk (the relay kept delivering from memory). */
    public long writeFailures() {
        return writeFailures.get();
    }

    /**
     * A sink's persistent key-value state ({@link SinkState}), in the map {@code state.<sinkId>} of this store. A put is
     * visible at once and written with the next group commit (one is requested right away), so at the latest with the
     * commit that records the delivery that caused it as done. After {@link #close} a put is dropped (logged). Each
     * value is stored with the time it was written; entries not written for {@link #STATE_RETENTION} (90 days) are
     * dropped, so alerts that never resolve do not grow the store forever.
     */
    public SinkState sinkState(String sinkId) {
        requireNonNull(sinkId, "sinkId is null");
        MVMap<String, String> map = store.openMap(STATE_PREFIX + sinkId);
        AtomicLong puts = new AtomicLong();
        return new SinkState() {
            @Override
            public Optional<String> get(String key) {
                String stored = map.get(key);
                int separator = stored == null ? -1 : stored.indexOf(' ');
                return separator < 0 ? Optional.empty() : Optional.of(stored.substring(separator + 1));
            }

            @Override
            public void put(String key, String value) {
                long now = clock.millis();
                change(() -> map.put(key, now + " " + value));
                if (puts.incrementAndGet() % STATE_PRUNE_EVERY == 0) {
                    prune(now);
                }
            }

            /** Drops entries not written for {@link #STATE_RETENTION}: state a sink never came back for. */
            private void prune(long now) {
                long oldest = now - STATE_RETENTION.toMillis();
                int dropped = 0;
                for (Iterator<String> keys = map.keyIterator(null); keys.hasNext(); ) {
                    String key = keys.next();
                    String stored = map.get(key);
                    int separator = stored == null ? -1 : stored.indexOf(' ');
                    long written;
                    try {
                        written = separator < 0 ? 0 : Long.parseLong(stored.substring(0, separator));
                    } catch (NumberFormatException e) {
                        written = 0;
                    }
                    if (written < oldest) {
                        map.remove(key);
                        dropped++;
                    }
                }
                if (dropped > 0) {
                    log.info("Outbox: dropped {} state entr(ies) of sink {} not written for {}", dropped, sinkId,
                            STATE_RETENTION);
                }
            }

            @Override
            public void remove(String key) {
                change(() -> map.remove(key));
            }

            private void change(Runnable change) {
                if (closed) {
                    log.warn("Outbox: sink {} changed its state after the outbox closed; the change is not kept", sinkId);
                    return;
                }
                change.run();
                writes.add(new Write(0, () -> {}, null)); // a commit soon, even if nothing else is written
            }
        };
    }

    private MVMap<Long, byte[]> pendingMap(String sinkId) {
        return pendingMaps.computeIfAbsent(sinkId, id -> store.openMap(PENDING_PREFIX + id));
    }

    private AtomicLong pendingCounter(String sinkId) {
        return pendingCounts.computeIfAbsent(sinkId, id -> new AtomicLong());
    }

    private AtomicLong deadCounter(String sinkId) {
        return deadCounts.computeIfAbsent(sinkId, id -> new AtomicLong());
    }

    @Override
    public Notification add(String sinkId, List<Alert> alerts) {
        requireNonNull(sinkId, "sinkId is null");
        requireNonNull(alerts, "alerts is null");
        Instant now = clock.instant();
        synchronized (idLock) {
            Notification notification = Notification.of(nextId++, sinkId, alerts, now);
            pendingCounter(sinkId).incrementAndGet();
            // encoded on the flusher thread: the caller is the source's I/O thread
            writes.add(new Write(notification.id(),
                    () -> pendingMap(sinkId).put(notification.id(), RecordCodec.pending(notification)), null));
            return notification;
        }
    }

    @Override
    public synchronized void awaitDurable(long id) throws InterruptedException {
        while (durableUpTo < id && !closed) {
            wait(1000);
        }
    }

    @Override
    public void done(Notification notification) {
        pendingCounter(notification.sinkId()).decrementAndGet();
        writes.add(new Write(0, () -> pendingMap(notification.sinkId()).remove(notification.id()), null));
    }

    @Override
    public DeadLetter deadLetter(Notification notification, int attempts, String reason, String answer) {
        DeadLetter letter = new DeadLetter(notification.id(), notification.sinkId(), notification.alert(),
                notification.createdAt(), clock.instant(), attempts, reason, answer);
        byte[] bytes = RecordCodec.deadLetter(letter);
        pendingCounter(notification.sinkId()).decrementAndGet();
        deadCounter(notification.sinkId()).incrementAndGet();
        writes.add(new Write(0, () -> {
            pendingMap(notification.sinkId()).remove(notification.id());
            dead.put(letter.id(), bytes);
        }, null));
        return letter;
    }

    @Override
    public List<Notification> pending(String sinkId, long afterId, int limit) {
        MVMap<Long, byte[]> map = pendingMaps.get(sinkId);
        List<Notification> result = new ArrayList<>();
        if (map == null) {
            return result;
        }
        for (Iterator<Long> keys = map.keyIterator(afterId + 1); keys.hasNext() && result.size() < limit; ) {
            long id = keys.next();
            byte[] bytes = map.get(id);
            if (bytes == null) {
                continue; // removed meanwhile
            }
            try {
                result.add(RecordCodec.pending(id, bytes));
            } catch (IOException | RuntimeException e) {
                log.error("Outbox: pending notification {} for sink {} is unreadable ({}); it is skipped", id, sinkId,
                        e.getMessage());
            }
        }
        return result;
    }

    @Override
    public long pendingCount(String sinkId) {
        AtomicLong count = pendingCounts.get(sinkId);
        return count == null ? 0 : Math.max(0, count.get());
    }

    @Override
    public Set<String> sinkIds() {
        Set<String> ids = new TreeSet<>();
        pendingCounts.forEach((id, count) -> {
            if (count.get() > 0) {
                ids.add(id);
            }
        });
        deadCounts.forEach((id, count) -> {
            if (count.get() > 0) {
                ids.add(id);
            }
        });
        return ids;
    }

    @Override
    public List<DeadLetter> deadLetters() {
        flush(); // a dead letter reported a moment ago is in the write queue, not yet in the map
        List<DeadLetter> letters = new ArrayList<>();
        for (Iterator<Long> keys = dead.keyIterator(null); keys.hasNext(); ) {
            deadLetter(keys.next()).ifPresent(letters::add);
        }
        return letters;
    }

    @Override
    public Optional<DeadLetter> deadLetter(long id) {
        byte[] bytes = dead.get(id);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(RecordCodec.deadLetter(id, bytes));
        } catch (IOException | RuntimeException e) {
            log.error("Outbox: dead letter {} is unreadable ({})", id, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public long deadLetterCount(String sinkId) {
        AtomicLong count = deadCounts.get(sinkId);
        return count == null ? 0 : Math.max(0, count.get());
    }

    @Override
    public Optional<Notification> redrive(long deadLetterId) {
        flush();
        Optional<DeadLetter> letter = deadLetter(deadLetterId);
        if (letter.isEmpty()) {
            return Optional.empty();
        }
        DeadLetter found = letter.get();
        Instant now = clock.instant();
        synchronized (idLock) {
            Notification notification = new Notification(nextId++, found.sinkId(), found.alert(), now);
            byte[] bytes = RecordCodec.pending(notification);
            deadCounter(found.sinkId()).decrementAndGet();
            pendingCounter(found.sinkId()).incrementAndGet();
            writes.add(new Write(notification.id(), () -> {
                dead.remove(deadLetterId);
                pendingMap(found.sinkId()).put(notification.id(), bytes);
            }, null));
            return Optional.of(notification);
        }
    }

    @Override
    public boolean purge(long deadLetterId) {
        flush();
        Optional<DeadLetter> letter = deadLetter(deadLetterId);
        if (letter.isEmpty()) {
            return false;
        }
        deadCounter(letter.get().sinkId()).decrementAndGet();
        writes.add(new Write(0, () -> dead.remove(deadLetterId), null));
        flush();
        return true;
    }

    @Override
    public void flush() {
        if (closed) {
            return;
        }
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        writes.add(new Write(0, () -> {}, flushed));
        try {
            flushed.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Outbox flush did not complete: {}", e.toString());
        }
    }

    private void flushLoop() {
        long lastFlush = System.nanoTime() - flushIntervalNanos;
        long pause = 0; // how long the previous commit took, at most the flush interval
        List<Write> batch = new ArrayList<>();
        while (true) {
            Write first;
            try {
                first = writes.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            batch.add(first);
            // wait out the pause after the previous commit, gathering more writes; a flush() caller does not wait
            long deadline = lastFlush + pause;
            boolean urgent = first.flushed() != null;
            while (!urgent && !closed) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                Write next;
                try {
                    next = writes.poll(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (next != null) {
                    batch.add(next);
                    urgent = next.flushed() != null;
                }
            }
            writes.drainTo(batch);
            long started = System.nanoTime();
            writeBatch(batch);
            lastFlush = System.nanoTime();
            pause = Math.min(flushIntervalNanos, lastFlush - started);
            batch.clear();
        }
    }

    private void writeBatch(List<Write> batch) {
        long maxAdded = 0;
        for (Write write : batch) {
            try {
                write.apply().run();
            } catch (RuntimeException e) {
                log.error("Outbox: a write failed ({})", e.toString());
            }
            maxAdded = Math.max(maxAdded, write.addedId());
        }
        try {
            store.commit();
            store.sync();
            flushes.incrementAndGet();
        } catch (RuntimeException e) {
            // fail open: deliver from memory rather than hold alerts back; reported, counted (logged 1st, 100th, ...)
            if (writeFailures.incrementAndGet() % 100 == 1) {
                log.error("Outbox: writing {} change(s) to {} failed ({}); delivery goes on, but they may not "
                        + "survive a crash ({} failed flush(es) so far)", batch.size(), dir.resolve(FILE_NAME),
                        e.toString(), writeFailures.get());
            }
        }
        synchronized (this) {
            durableUpTo = Math.max(durableUpTo, maxAdded);
            notifyAll();
        }
        for (Write write : batch) {
            if (write.flushed() != null) {
                write.flushed().complete(null);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        // not interrupted: an interrupt during FileChannel I/O would close the store's channel
        try {
            flusher.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Write> rest = new ArrayList<>();
        writes.drainTo(rest);
        if (!rest.isEmpty()) {
            writeBatch(rest);
        }
        try {
            store.close();
        } catch (RuntimeException e) {
            log.warn("Outbox: closing the store failed ({})", e.toString());
        }
        lock.close();
        if (unreadable > 0) {
            log.warn("Outbox: {} unreadable dead letter(s) were kept in the store", unreadable);
        }
    }
}
