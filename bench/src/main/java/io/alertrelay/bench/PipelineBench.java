package io.alertrelay.bench;

import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.core.EventDecoder;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.Route;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.source.redis.RedisSource;
import io.alertrelay.source.redis.RedisSourceConfig;
import io.alertrelay.source.redis.SubscriptionState;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Speed and memory of the delivery path (a benchmark, not a test; results in docs/benchmarks.md):
 * <ol>
 *   <li>in-process: decode + route + queue + deliver to a no-op sink, alerts per second and bytes allocated per alert;</li>
 *   <li>heap held per queued alert (what {@code sinks.<id>.delivery.queue-capacity} costs);</li>
 *   <li>end to end through a real redis-server: PUBLISH (pipelined) -> RedisSource -> pipeline -> sink.</li>
 * </ol>
 * {@code mvn -B -q -Pbench -pl bench -am install -DskipTests && mvn -B -q -Pbench -pl bench exec:java
 * -Dbench.main=io.alertrelay.bench.PipelineBench -Dbench.args="--out bench/target/pipeline-bench.md"}
 */
public final class PipelineBench {
    /** Each its own alert (its own fingerprint), or the repeat rule would send only the first. */
    private static final String PAYLOAD = """
            {"id":"evt-%1$d","fingerprint":"evt-%1$d","title":"Disk full on db-1","status":"firing","severity":"critical",\
            "summary":"/var at 97%%","labels":{"host":"db-1","team":"storage","region":"eu-west-1"},\
            "source":"monitor-7","timestamp":"2026-11-23T10:00:00Z","runbook":"https://wiki/runbooks/disk"}""";

    private PipelineBench() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of("bench/target/pipeline-bench.md");
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB; payload ")
                .append(String.format(PAYLOAD, 1).getBytes(StandardCharsets.UTF_8).length).append(" bytes\n\n");

        report.append("| measurement | runs | median | min | max |\n|---|---|---|---|---|\n");
        int n = 500_000;
        inProcess(n); // warm-up
        double[] rates = new double[runs];
        double[] bytes = new double[runs];
        for (int r = 0; r < runs; r++) {
            double[] result = inProcess(n);
            rates[r] = result[0];
            bytes[r] = result[1];
        }
        row(report, "in-process decode+route+deliver, alerts/s (" + n + " per run)", rates, "%,.0f");
        row(report, "bytes allocated per alert (all threads)", bytes, "%,.0f");

        double[] perQueued = new double[runs];
        for (int r = 0; r < runs; r++) {
            perQueued[r] = heapPerQueuedAlert(DeliveryPolicy.DEFAULT_QUEUE_CAPACITY);
        }
        row(report, "heap per queued alert, bytes (" + DeliveryPolicy.DEFAULT_QUEUE_CAPACITY + " queued)", perQueued,
                "%,.0f");

        int endToEnd = 200_000;
        double[] e2e = new double[runs];
        long lost = 0;
        try (RedisServerProcess redis = RedisServerProcess.startStandalone()) {
            throughRedis(redis, 20_000); // warm-up
            for (int r = 0; r < runs; r++) {
                double[] result = throughRedis(redis, endToEnd);
                e2e[r] = result[0];
                lost += (long) result[1];
            }
        }
        row(report, "end to end via redis-server (pipelined PUBLISH -> sink), alerts/s (" + endToEnd + " per run)", e2e,
                "%,.0f");
        report.append("\nAlerts lost end to end over all runs: ").append(lost).append('\n');
        System.out.print(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.toString());
    }

    private static void row(StringBuilder report, String name, double[] values, String format) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        report.append("| ").append(name).append(" | ").append(values.length).append(" | ")
                .append(String.format(Locale.ROOT, format, sorted[sorted.length / 2])).append(" | ")
                .append(String.format(Locale.ROOT, format, sorted[0])).append(" | ")
                .append(String.format(Locale.ROOT, format, sorted[sorted.length - 1])).append(" |\n");
    }

    /** Returns {alerts per second, bytes allocated per alert}. */
    private static double[] inProcess(int n) throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        Sink counting = alert -> {
            done.countDown();
            return DeliveryResult.delivered();
        };
        Pipeline pipeline = new Pipeline(new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE),
                List.of(Route.toAll(List.of("sink"))),
                List.of(new SinkWorker("sink", "bench", counting, new DeliveryPolicy(n, Duration.ofMillis(1),
                        Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofHours(1)), new SimpleMeterRegistry())),
                new SimpleMeterRegistry());
        List<InboundMessage> messages = new ArrayList<>(n);
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            messages.add(new InboundMessage("alerts:prod", Optional.of("alerts:*"), String.format(PAYLOAD, i),
                    "127.0.0.1:6379", now));
        }
        pipeline.start();
        long allocatedBefore = allocatedBytes();
        long start = System.nanoTime();
        for (InboundMessage message : messages) {
            pipeline.onMessage(message);
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("in-process run did not finish");
        }
        long elapsed = System.nanoTime() - start;
        long allocated = allocatedBytes() - allocatedBefore;
        pipeline.close(Duration.ofSeconds(5));
        return new double[] {n / (elapsed / 1e9), (double) allocated / n};
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        return Arrays.stream(threads.getThreadAllocatedBytes(ids)).filter(b -> b > 0).sum();
    }

    /** Heap retained by {@code count} decoded alerts waiting in a sink's queue, per alert. */
    private static double heapPerQueuedAlert(int count) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        Sink stuck = alert -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DeliveryResult.delivered();
        };
        Pipeline pipeline = new Pipeline(new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE),
                List.of(Route.toAll(List.of("stuck"))),
                List.of(new SinkWorker("stuck", "bench", stuck, new DeliveryPolicy(count + 1, Duration.ofMillis(1),
                        Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofHours(1)), new SimpleMeterRegistry())),
                new SimpleMeterRegistry());
        pipeline.start();
        Instant now = Instant.now();
        pipeline.onMessage(new InboundMessage("alerts:prod", Optional.of("alerts:*"), String.format(PAYLOAD, -1),
                "127.0.0.1:6379", now));
        blocked.await();
        long before = usedHeapAfterGc();
        for (int i = 0; i < count; i++) {
            pipeline.onMessage(new InboundMessage("alerts:prod", Optional.of("alerts:*"), String.format(PAYLOAD, i),
                    "127.0.0.1:6379", now));
        }
        long after = usedHeapAfterGc();
        release.countDown();
        pipeline.close(Duration.ofSeconds(10));
        return (double) (after - before) / count;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Returns {alerts per second, alerts lost}. */
    private static double[] throughRedis(RedisServerProcess redis, int n) throws Exception {
        AtomicLong delivered = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        Sink counting = alert -> {
            delivered.incrementAndGet();
            done.countDown();
            return DeliveryResult.delivered();
        };
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Pipeline pipeline = new Pipeline(new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE),
                List.of(Route.toAll(List.of("sink"))),
                List.of(new SinkWorker("sink", "bench", counting, new DeliveryPolicy(n, Duration.ofMillis(1),
                        Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofHours(1)), metrics)), metrics);
        RedisSourceConfig config = RedisSourceConfig.from(TreeConfigView.root(Map.of("redis",
                Map.of("url", "redis://127.0.0.1:" + redis.port()))).section("redis"));
        RedisSource source = new RedisSource(config,
                new InMemorySubscriptionRegistry(List.of(Subscription.pattern("alerts:*"))), Clock.systemUTC());
        pipeline.start();
        source.start(pipeline);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (source.status().state() != SubscriptionState.VERIFIED) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("source not VERIFIED: " + source.status());
            }
            Thread.sleep(20);
        }
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> commands = connection.async();
            long start = System.nanoTime();
            List<RedisFuture<Long>> pending = new ArrayList<>(1000);
            for (int i = 0; i < n; i++) {
                pending.add(commands.publish("alerts:prod", String.format(PAYLOAD, i)));
                if (pending.size() == 1000) { // bounded pipelining
                    for (RedisFuture<Long> future : pending) {
                        future.get(10, TimeUnit.SECONDS);
                    }
                    pending.clear();
                }
            }
            for (RedisFuture<Long> future : pending) {
                future.get(10, TimeUnit.SECONDS);
            }
            boolean all = done.await(60, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - start;
            return new double[] {delivered.get() / (elapsed / 1e9), all ? 0 : n - delivered.get()};
        } finally {
            client.shutdown();
            source.close();
            pipeline.close(Duration.ofSeconds(5));
        }
    }
}
