package io.alertrelay.bench;

import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.core.EventDecoder;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.Route;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.core.outbox.MvStoreOutbox;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Sink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The relay's durable path in-process, measured in CPU time per alert, which a shared machine disturbs far less than
 * wall-clock rates: N messages handed to the {@link Pipeline} as the source's I/O thread hands them over (the ingest
 * queue), decoded and routed on the pipeline thread, recorded in a real {@link MvStoreOutbox} (group-committed,
 * fsync'd) by its flusher thread, and delivered to a sink that accepts and does nothing. For each of those threads:
 * CPU microseconds per alert; the slowest one bounds the rate the path can sustain ({@code 1e6 / µs}, if that thread
 * had a core to itself). Also the wall-clock rate of the run, for what it is worth on the machine at the time.
 *
 * <pre>
 * java -Xmx512m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
 *     io.alertrelay.bench.DurablePathBench [alerts per run, default 300000] [runs, default 3]
 * </pre>
 */
public final class DurablePathBench {
    /** Each its own alert (its own fingerprint), or the repeat rule would send only the first. */
    private static final String PAYLOAD = "{\"id\":\"evt-%1$d\",\"fingerprint\":\"evt-%1$d\",\"title\":\"Disk full on db-1\","
            + "\"status\":\"firing\","
            + "\"severity\":\"critical\",\"summary\":\"/var at 97%%\",\"labels\":{\"host\":\"db-1\",\"team\":\"storage\","
            + "\"region\":\"eu-west-1\"},\"source\":\"monitor-7\",\"timestamp\":\"2026-11-23T10:00:00Z\","
            + "\"runbook\":\"https://wiki/runbooks/disk\"}";
    private static final List<String> THREADS = List.of("feeder (the source's I/O thread)", "pipeline",
            "outbox-flusher", "sink-sink");

    private DurablePathBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "%d alerts per run, %d runs after one warm-up, %d cores, Java %s%n", n, runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        StringBuilder header = new StringBuilder("| run | wall alerts/s |");
        for (String thread : THREADS) {
            header.append(' ').append(thread).append(" µs/alert |");
        }
        header.append(" all threads µs/alert | bound by the slowest thread, alerts/s |");
        System.out.println(header);
        System.out.println("|---".repeat(THREADS.size() + 4) + "|");
        run(n); // warm-up
        for (int r = 1; r <= runs; r++) {
            Map<String, Double> result = run(n);
            StringBuilder row = new StringBuilder("| " + r + " | " + String.format(Locale.ROOT, "%,.0f",
                    result.get("wall")) + " |");
            double slowest = 0;
            for (String thread : THREADS) {
                double micros = result.getOrDefault(thread, Double.NaN);
                slowest = Math.max(slowest, micros);
                row.append(String.format(Locale.ROOT, " %.2f |", micros));
            }
            row.append(String.format(Locale.ROOT, " %.2f | %,.0f |", result.get("all"), 1e6 / slowest));
            System.out.println(row);
        }
    }

    private static Map<String, Double> run(int n) throws Exception {
        Path dir = Files.createTempDirectory("durable-path-bench");
        CountDownLatch done = new CountDownLatch(n);
        Sink noop = alert -> {
            done.countDown();
            return DeliveryResult.delivered();
        };
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        MvStoreOutbox outbox = MvStoreOutbox.open(dir, Duration.ofMillis(10), Clock.systemUTC());
        SinkWorker worker = new SinkWorker("sink", "bench", noop, DeliveryPolicy.defaults(), outbox,
                Clock.systemUTC(), metrics);
        Pipeline pipeline = new Pipeline(new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE),
                List.of(Route.toAll(List.of("sink"))), List.of(worker), metrics, n + 1);
        List<InboundMessage> messages = new ArrayList<>(n);
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            messages.add(new InboundMessage("alerts:prod", Optional.of("alerts:*"), String.format(PAYLOAD, i),
                    "127.0.0.1:6379", now));
        }
        pipeline.start();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> before = cpuByThread(mx);
        long feederBefore = mx.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (InboundMessage message : messages) {
            pipeline.onMessage(message);
        }
        long feeder = mx.getCurrentThreadCpuTime() - feederBefore;
        if (!done.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the run did not finish: " + done.getCount() + " not delivered");
        }
        long elapsed = System.nanoTime() - start;
        Map<String, Long> after = cpuByThread(mx);
        Map<String, Double> result = new LinkedHashMap<>();
        result.put("wall", n / (elapsed / 1e9));
        result.put(THREADS.get(0), feeder / 1e3 / n);
        long all = feeder;
        for (Map.Entry<String, Long> thread : after.entrySet()) {
            long used = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
            if (THREADS.contains(thread.getKey())) {
                result.put(thread.getKey(), used / 1e3 / n);
            }
            if (!thread.getKey().equals("main")) {
                all += used;
            }
        }
        result.put("all", all / 1e3 / n);
        pipeline.close(Duration.ofSeconds(10));
        outbox.close();
        return result;
    }

    /** CPU nanoseconds so far of every live thread, by name (names are unique here). */
    private static Map<String, Long> cpuByThread(ThreadMXBean mx) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            long nanos = mx.getThreadCpuTime(thread.getId());
            if (nanos >= 0) {
                cpu.merge(thread.getName(), nanos, Long::sum);
            }
        }
        return cpu;
    }
}
