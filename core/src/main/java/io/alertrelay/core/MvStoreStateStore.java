package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's notification state in an H2 MVStore file of its own, {@code <delivery.dir>/state.mv.db}, beside the
 * outbox (whose directory lock covers it). Writes are committed by MVStore's background writer within
 * {@value #COMMIT_DELAY_MILLIS} ms, and at once by {@link #commit()} (silence changes) and on close: a crash loses at
 * most that second of dedup or group state, which costs one repeated notification, never a lost one.
 *
 * <p>A file that cannot be opened is moved aside to {@code state.mv.db.corrupt-<epoch millis>} and the relay starts
 * with empty state (silences from the config are added again; those made at run time are lost, and logged as such).
 */
public final class MvStoreStateStore implements StateStore {
    public static final String FILE_NAME = "state.mv.db";
    static final int COMMIT_DELAY_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(MvStoreStateStore.class);

    private final MVStore store;

    private MvStoreStateStore(MVStore store) {
        this.store = store;
    }

    public static MvStoreStateStore open(Path dir) {
        requireNonNull(dir, "dir is null");
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
            return new MvStoreStateStore(build(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("delivery.dir: cannot create " + dir, e);
        } catch (RuntimeException e) {
            Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + Instant.now().toEpochMilli());
            try {
                Files.move(file, aside);
            } catch (java.io.IOException moveFailure) {
                throw new IllegalStateException("delivery.dir: the state file " + file + " cannot be read nor moved "
                        + "aside: " + moveFailure.getMessage(), e);
            }
            log.error("The state file {} could not be read ({}); moved aside to {}. Dedup and group state start empty; "
                    + "silences made at run time are lost (those in the config are added again)", file,
                    e.getClass().getSimpleName(), aside.getFileName());
            return new MvStoreStateStore(build(file));
        }
    }

    private static MVStore build(Path file) {
        return new MVStore.Builder().fileName(file.toString()).autoCommitBufferSize(1024)
                .open();
    }

    private MVMap<String, String> map(String name) {
        return store.openMap(name);
    }

    // after close (the last events of a shutdown racing it) reads find nothing and writes are dropped: the state is
    // only ever an optimisation of what is sent, never what makes it durable

    @Override
    public Optional<String> get(String map, String key) {
        return store.isClosed() ? Optional.empty() : Optional.ofNullable(map(map).get(key));
    }

    @Override
    public void put(String map, String key, String value) {
        if (!store.isClosed()) {
            map(map).put(key, value);
        }
    }

    @Override
    public void remove(String map, String key) {
        if (!store.isClosed()) {
            map(map).remove(key);
        }
    }

    @Override
    public Map<String, String> entries(String map) {
        return store.isClosed() ? new TreeMap<>() : new TreeMap<>(map(map));
    }

    @Override
    public void removeIf(String map, java.util.function.BiPredicate<String, String> remove) {
        if (store.isClosed()) {
            return;
        }
        MVMap<String, String> entries = map(map);
        for (java.util.Iterator<String> keys = entries.keyIterator(null); keys.hasNext(); ) {
            String key = keys.next();
            String value = entries.get(key);
            if (value != null && remove.test(key, value)) {
                entries.remove(key);
            }
        }
    }

    @Override
    public synchronized void commit() {
        if (!store.isClosed()) {
            store.commit();
        }
    }

    @Override
    public synchronized void close() {
        if (!store.isClosed()) {
            store.close();
        }
    }
}
