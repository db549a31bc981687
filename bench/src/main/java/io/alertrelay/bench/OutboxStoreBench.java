package io.alertrelay.bench;

import io.alertrelay.core.outbox.MvStoreOutbox;
import io.alertrelay.core.outbox.Notification;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which embedded store for the durable outbox (docs/durable-delivery.md): H2's MVStore (through the relay's own
 * {@link MvStoreOutbox}) against SQLite through xerial's JDBC driver, driven the same way: one writer thread, group
 * commit (one transaction and one fsync per batch, at most one batch per flush interval), notifications of the size
 * the relay stores (~700 bytes of JSON).
 *
 * <ul>
 *   <li>burst: N notifications recorded as fast as a producer can, until the last one is durable (notifications/s);</li>
 *   <li>done: the same N marked done (deleted), until durable;</li>
 *   <li>idle latency: one notification at a time, record -> durable (p50, p99): what an alert waits before its sink is
 *       called when the relay is quiet;</li>
 *   <li>open: reopening a store holding 10,000 pending notifications.</li>
 * </ul>
 * {@code ./mvnw -B -q -Pbench -pl bench -am package -DskipTests} then
 * {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.alertrelay.bench.OutboxStoreBench}
 * (classpath from {@code ./mvnw -q -Pbench -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt}).
 */
public final class OutboxStoreBench {
    private static final Duration FLUSH = Duration.ofMillis(10);

    private OutboxStoreBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Files.createTempDirectory(Path.of(args.length > 2 ? args[2] : "bench/target"), "outbox-bench");
        System.out.printf(Locale.ROOT, "n=%d, runs=%d, dir=%s%n", n, runs, base);
        for (int run = 0; run < runs; run++) {
            Result mv = mvStore(base.resolve("mv-" + run), n);
            Result raw = rawMvStore(base.resolve("raw-" + run), n);
            Result sqlite = sqlite(base.resolve("sqlite-" + run), n);
            System.out.println("run " + run + ": MvStoreOutbox (JSON encoding + check on open) " + mv);
            System.out.println("run " + run + ": MVStore, same bytes as SQLite                " + raw);
            System.out.println("run " + run + ": SQLite (xerial)                              " + sqlite);
        }
    }

    record Result(double burstPerSecond, double donePerSecond, double p50Millis, double p99Millis, double openMillis,
                  long fileBytes) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "burst %,.0f/s, done %,.0f/s, idle record->durable p50 %.2f ms p99 %.2f ms,"
                    + " reopen with 10k pending %.0f ms, file %,d bytes", burstPerSecond, donePerSecond, p50Millis,
                    p99Millis, openMillis, fileBytes);
        }
    }

    static Alert alert(int i) {
        return new Alert("evt-" + i, "Disk full on db-1", Status.FIRING, Severity.CRITICAL,
                Optional.of("/var at 97% on db-1, growing 1%/h"), Map.of("host", "db-1", "team", "storage",
                "region", "eu-west-1"), Optional.of("monitor-7"), Optional.of(Instant.parse("2026-11-23T10:00:00Z")),
                Map.of("runbook", "https://wiki/runbooks/disk"),
                new Alert.Origin("alerts:prod", Optional.of("alerts:*"), Instant.now()));
    }

    static Result mvStore(Path dir, int n) throws Exception {
        Clock clock = Clock.systemUTC();
        List<Notification> added = new ArrayList<>(n);
        long start = System.nanoTime();
        double burst;
        double done;
        try (MvStoreOutbox outbox = MvStoreOutbox.open(dir, FLUSH, clock)) {
            for (int i = 0; i < n; i++) {
                added.add(outbox.add("ops", alert(i)));
            }
            outbox.awaitDurable(added.get(n - 1).id());
            burst = n / seconds(start);
            start = System.nanoTime();
            for (Notification notification : added) {
                outbox.done(notification);
            }
            outbox.flush();
            done = n / seconds(start);
        }
        double[] latencies = new double[500];
        try (MvStoreOutbox outbox = MvStoreOutbox.open(dir, FLUSH, clock)) {
            for (int i = 0; i < latencies.length; i++) {
                long t = System.nanoTime();
                outbox.awaitDurable(outbox.add("ops", alert(i)).id());
                latencies[i] = (System.nanoTime() - t) / 1e6;
            }
            for (int i = 0; i < 10_000; i++) {
                outbox.add("ops", alert(i));
            }
        }
        long t = System.nanoTime();
        try (MvStoreOutbox outbox = MvStoreOutbox.open(dir, FLUSH, clock)) {
            outbox.pending("ops", 0, 10);
        }
        double open = seconds(t) * 1000;
        Arrays.sort(latencies);
        return new Result(burst, done, latencies[latencies.length / 2], latencies[latencies.length * 99 / 100], open,
                Files.size(dir.resolve(MvStoreOutbox.FILE_NAME)));
    }

    /** The store under a writer: apply one batch as one transaction with one fsync. */
    interface Store extends AutoCloseable {
        long maxId() throws Exception;

        void write(List<Object[]> batch) throws Exception;

        long fileBytes() throws Exception;
    }

    /** SQLite, WAL, synchronous=FULL (an fsync per commit). */
    static final class Sqlite implements Store {
        private final Path file;
        private final Connection connection;
        private final PreparedStatement insert;
        private final PreparedStatement delete;

        Sqlite(Path dir) throws Exception {
            Files.createDirectories(dir);
            file = dir.resolve("outbox.db");
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY, sink TEXT, body BLOB)");
            }
            connection.setAutoCommit(false);
            insert = connection.prepareStatement("INSERT INTO pending VALUES (?, 'ops', ?)");
            delete = connection.prepareStatement("DELETE FROM pending WHERE id = ?");
        }

        @Override
        public long maxId() throws Exception {
            try (Statement statement = connection.createStatement();
                 var rows = statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM pending")) {
                rows.next();
                return rows.getLong(1);
            }
        }

        @Override
        public void write(List<Object[]> batch) throws Exception {
            for (Object[] write : batch) {
                if (write[1] != null) {
                    insert.setLong(1, (Long) write[0]);
                    insert.setBytes(2, (byte[]) write[1]);
                    insert.addBatch();
                } else {
                    delete.setLong(1, (Long) write[0]);
                    delete.addBatch();
                }
            }
            insert.executeBatch();
            delete.executeBatch();
            connection.commit();
        }

        @Override
        public long fileBytes() throws Exception {
            return Files.size(file) + (Files.exists(Path.of(file + "-wal")) ? Files.size(Path.of(file + "-wal")) : 0);
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    /** MVStore used directly (no JSON encoding in the bench's timing beyond the same bytes SQLite gets). */
    static final class RawMvStore implements Store {
        private final Path file;
        private final org.h2.mvstore.MVStore store;
        private final org.h2.mvstore.MVMap<Long, byte[]> map;

        RawMvStore(Path dir) throws Exception {
            Files.createDirectories(dir);
            file = dir.resolve("raw.mv.db");
            store = new org.h2.mvstore.MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
            map = store.openMap("pending.ops");
        }

        @Override
        public long maxId() {
            return map.isEmpty() ? 0 : map.lastKey();
        }

        @Override
        public void write(List<Object[]> batch) {
            for (Object[] write : batch) {
                if (write[1] != null) {
                    map.put((Long) write[0], (byte[]) write[1]);
                } else {
                    map.remove((Long) write[0]);
                }
            }
            store.commit();
            store.sync();
        }

        @Override
        public long fileBytes() throws Exception {
            return Files.size(file);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** The outbox's design over either store: a writer thread, one batch per flush interval at most. */
    static final class SqliteOutbox implements AutoCloseable {
        private final Store storage;
        private final LinkedBlockingQueue<Object[]> writes = new LinkedBlockingQueue<>();
        private final AtomicLong nextId = new AtomicLong(1);
        private final Thread writer;
        private volatile boolean closed;
        private long durable;

        SqliteOutbox(Store storage) throws Exception {
            this.storage = storage;
            nextId.set(storage.maxId() + 1);
            writer = new Thread(this::loop, "store-writer");
            writer.start();
        }

        long add(byte[] body) {
            long id = nextId.getAndIncrement();
            writes.add(new Object[] {id, body});
            return id;
        }

        void done(long id) {
            writes.add(new Object[] {id, null});
        }

        synchronized void awaitDurable(long id) throws InterruptedException {
            while (durable < id) {
                wait(100);
            }
        }

        private void loop() {
            long last = 0;
            List<Object[]> batch = new ArrayList<>();
            try {
                while (!closed || !writes.isEmpty()) {
                    Object[] first = writes.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    long wait = last + FLUSH.toNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    batch.add(first);
                    writes.drainTo(batch);
                    last = System.nanoTime();
                    long max = 0;
                    for (Object[] write : batch) {
                        if (write[1] != null) {
                            max = Math.max(max, (Long) write[0]);
                        }
                    }
                    storage.write(batch);
                    batch.clear();
                    synchronized (this) {
                        durable = Math.max(durable, max);
                        notifyAll();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            closed = true;
            writer.join();
            storage.close();
        }
    }

    static byte[] json(Alert alert) {
        // the same stored size as the relay's JSON record; SQLite is not asked to do more work than MVStore
        return ("{\"v\":1,\"sink\":\"ops\",\"createdAt\":\"" + Instant.now() + "\",\"alert\":{\"id\":\"" + alert.id()
                + "\",\"title\":\"" + alert.title() + "\",\"status\":\"firing\",\"severity\":\"critical\",\"summary\":\""
                + alert.summary().orElse("") + "\",\"labels\":{\"host\":\"db-1\",\"team\":\"storage\",\"region\":"
                + "\"eu-west-1\"},\"source\":\"monitor-7\",\"timestamp\":\"2026-11-23T10:00:00Z\",\"extra\":{\"runbook\":"
                + "\"https://wiki/runbooks/disk\"},\"origin\":{\"channel\":\"alerts:prod\",\"pattern\":\"alerts:*\","
                + "\"receivedAt\":\"" + alert.origin().receivedAt() + "\"}}}").getBytes(StandardCharsets.UTF_8);
    }

    interface StoreFactory {
        Store open(Path dir) throws Exception;
    }

    static Result sqlite(Path dir, int n) throws Exception {
        return same(dir, n, Sqlite::new);
    }

    static Result rawMvStore(Path dir, int n) throws Exception {
        return same(dir, n, RawMvStore::new);
    }

    static Result same(Path dir, int n, StoreFactory factory) throws Exception {
        long[] ids = new long[n];
        long start = System.nanoTime();
        double burst;
        double done;
        try (SqliteOutbox outbox = new SqliteOutbox(factory.open(dir))) {
            for (int i = 0; i < n; i++) {
                ids[i] = outbox.add(json(alert(i)));
            }
            outbox.awaitDurable(ids[n - 1]);
            burst = n / seconds(start);
            start = System.nanoTime();
            for (long id : ids) {
                outbox.done(id);
            }
            long marker = outbox.add(json(alert(0)));
            outbox.awaitDurable(marker);
            done = n / seconds(start);
        }
        double[] latencies = new double[500];
        try (SqliteOutbox outbox = new SqliteOutbox(factory.open(dir))) {
            for (int i = 0; i < latencies.length; i++) {
                long t = System.nanoTime();
                outbox.awaitDurable(outbox.add(json(alert(i))));
                latencies[i] = (System.nanoTime() - t) / 1e6;
            }
            for (int i = 0; i < 10_000; i++) {
                outbox.add(json(alert(i)));
            }
        }
        long t = System.nanoTime();
        try (SqliteOutbox outbox = new SqliteOutbox(factory.open(dir))) {
            outbox.add(json(alert(0)));
        }
        double open = seconds(t) * 1000;
        Arrays.sort(latencies);
        long size;
        try (Store store = factory.open(dir)) {
            size = store.fileBytes();
        }
        return new Result(burst, done, latencies[latencies.length / 2], latencies[latencies.length * 99 / 100], open,
                size);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
