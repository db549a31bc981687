package io.alertrelay.bench;

import io.alertrelay.testing.redis.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The assembled jar as a user runs it (issue 8, item 7, in part): a fresh {@code redis-server} per rate, the relay
 * ({@code java -jar app/target/alert-relay.jar}, console sink with standard output discarded, durable outbox on) and,
 * in the same run, a bare Lettuce subscriber that only counts. For each rate: alerts published per second (achieved),
 * what the bare subscriber and the relay's sink got, their ratio, how often the relay's subscription left VERIFIED
 * (Redis closing it for its output buffer shows here), resident memory; and the time from {@code java -jar} to the
 * first server-verified subscription.
 *
 * <pre>
 * ./mvnw -B -q package -DskipTests -pl app -am
 * ./mvnw -B -q -Pbench -pl bench -am package -DskipTests
 * ./mvnw -B -q -Pbench -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "bench/target/classes:core/target/test-classes:core/target/classes:$(cat bench/target/classpath.txt)" \
 *     io.alertrelay.bench.RelayJarBench app/target/alert-relay.jar 10 10000,50000,100000
 * </pre>
 */
public final class RelayJarBench {
    private static final Pattern PORT = Pattern.compile("Health and metrics on http://[^:]+:(\\d+)");
    /**
     * The sink type of the throughput runs, from {@code -Dbench.sink}: {@code console} (default; standard output
     * discarded, as a user would try it) or {@code bench-noop} (accepts and does nothing: the relay's own path).
     */
    private static final String SINK = System.getProperty("bench.sink", "console");
    private static final Pattern DELIVERED = Pattern.compile(
            "alertrelay_sink_delivered_total\\{sink=\"console\",type=\"" + Pattern.quote(SINK) + "\"} ([0-9.E]+)");
    /** Each its own alert (its own fingerprint), or the repeat rule would send only the first. */
    private static final String PAYLOAD = "{\"id\":\"evt-%1$d\",\"fingerprint\":\"evt-%1$d\",\"title\":\"Disk full on db-1\",\"status\":\"firing\","
            + "\"severity\":\"critical\",\"summary\":\"/var at 97%%\",\"labels\":{\"host\":\"db-1\",\"team\":\"storage\","
            + "\"region\":\"eu-west-1\"},\"source\":\"monitor-7\",\"timestamp\":\"2026-11-23T10:00:00Z\","
            + "\"runbook\":\"https://wiki/runbooks/disk\"}";

    /** {@code delivery.flush-interval} for the relay, from {@code -Dbench.flush-interval=1ms}; empty: its default. */
    private static final String FLUSH_INTERVAL = System.getProperty("bench.flush-interval", "");
    /** More keys for the latency run's sink, from {@code -Dbench.sink-extra=", delivery: {queue-capacity: 100000}"}. */
    private static final String SINK_EXTRA = System.getProperty("bench.sink-extra", "");
    /** Seconds published before the latency run's measured window, from {@code -Dbench.warmup}; default 8. */
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 8);

    private RelayJarBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--latency")) {
            latencyMain(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Path jar = Path.of(args.length > 0 ? args[0] : "app/target/alert-relay.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Integer> rates = new ArrayList<>();
        for (String rate : (args.length > 2 ? args[2] : "10000,50000,100000").split(",")) {
            rates.add(Integer.parseInt(rate.trim()));
        }
        System.out.printf(Locale.ROOT, "jar %s, sink %s, %d s per rate, rates %s, %d cores, Java %s%n", jar, SINK,
                seconds, rates,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| target/s | published/s | bare subscriber got | relay delivered | relay/bare | relay "
                + "subscription lost | CPU per alert, relay / bare (µs) | relay RSS end / peak (MB) "
                + "| java -jar -> VERIFIED (ms) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int rate : rates) {
            System.out.println(run(jar, rate, seconds));
        }
    }

    /**
     * {@code --latency JAR SECONDS RATES [disk|tmpfs]}: per rate, the time from each {@code PUBLISH} to the sink
     * call, through the jar's code with the bench's {@code bench-latency} sink ({@link
     * io.alertrelay.bench.sink.LatencySinkFactory}) found by ServiceLoader from the bench classes on the relay's class
     * path. Each rate is first published for {@link #WARMUP_SECONDS} s of warm-up (the relay's JIT: a cold relay needs
     * about 4 s to catch up with 10,000/s), left out of the percentiles, then for SECONDS measured. {@code disk} (default) keeps
     * the outbox in the relay's working directory (a temporary directory), {@code tmpfs} in {@code /dev/shm}, where an
     * fsync costs next to nothing: the difference is what the disk's fsync adds.
     */
    private static void latencyMain(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        String outbox = args.length > 3 ? args[3] : "disk";
        System.out.printf(Locale.ROOT, "jar %s, %d s per rate after " + WARMUP_SECONDS + " s of warm-up, outbox %s, flush-interval %s, "
                + "%d cores, Java %s%n", jar, seconds, outbox, FLUSH_INTERVAL.isEmpty() ? "default" : FLUSH_INTERVAL, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| target/s | published/s | delivered | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | max (ms) "
                + "| relay RSS end / peak (MB) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String rate : args[2].split(",")) {
            System.out.println(latencyRun(jar, Integer.parseInt(rate.trim()), seconds, outbox));
        }
    }

    private static String latencyRun(Path jar, int rate, int seconds, String outbox) throws Exception {
        Path dir = Files.createTempDirectory("relay-latency-bench");
        Path samples = dir.resolve("latency.txt");
        Path classes = Path.of(LatencySinkFactoryHolder.location());
        try (RedisServerProcess redis = RedisServerProcess.startStandalone()) {
            Files.writeString(dir.resolve("relay.yaml"), """
                    redis: {url: "redis://127.0.0.1:%d"}
                    subscriptions: [{pattern: "alerts:*"}]
                    sinks: {lat: {type: bench-latency%s}}
                    http: {port: 0}
                    delivery: {dir: "%s"%s}
                    """.formatted(redis.port(), SINK_EXTRA, outbox.equals("tmpfs")
                            ? Files.createTempDirectory(Path.of("/dev/shm"), "relay-bench").toString()
                            : dir.resolve("alert-relay-data").toString(),
                    FLUSH_INTERVAL.isEmpty() ? "" : ", flush-interval: " + FLUSH_INTERVAL));
            Path stderr = dir.resolve("relay.stderr");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-D" + io.alertrelay.bench.sink.LatencySinkFactory.OUT + "=" + samples));
            command.addAll(relayJvmArgs());
            command.addAll(List.of("-cp", jar.toAbsolutePath() + java.io.File.pathSeparator + classes,
                    "io.alertrelay.app.Main", "--config", dir.resolve("relay.yaml").toString()));
            Process relay = new ProcessBuilder(command)
                    .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile()).start();
            try {
                awaitLine(stderr, "-> VERIFIED", relay);
                awaitLine(stderr, "Health and metrics on", relay);
                Matcher port = PORT.matcher(Files.readString(stderr));
                if (!port.find()) {
                    throw new IllegalStateException("no HTTP port in the relay's log");
                }
                String metrics = "http://127.0.0.1:" + port.group(1) + "/metrics";
                Pattern deliveredMetric = Pattern.compile(
                        "alertrelay_sink_delivered_total\\{sink=\"lat\",type=\"bench-latency\"} ([0-9.E]+)");
                RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
                double published;
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    published = publish(connection.async(), rate, WARMUP_SECONDS + seconds, true);
                }
                long rss = rssKb(relay.pid(), "VmRSS");
                long peak = rssKb(relay.pid(), "VmHWM");
                long expected = (long) rate * (WARMUP_SECONDS + seconds);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (delivered(metrics, deliveredMetric) < expected && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                client.shutdown();
                relay.destroy(); // SIGTERM: the sink writes its samples when it is closed
                if (!relay.waitFor(60, TimeUnit.SECONDS) || !Files.exists(samples)) {
                    throw new IllegalStateException("the relay did not write " + samples + ": "
                            + Files.readString(stderr));
                }
                long warmup = (long) WARMUP_SECONDS * rate;
                long[] micros = Files.readAllLines(samples).stream().map(line -> line.split(" "))
                        .filter(parts -> Long.parseLong(parts[0]) >= warmup)
                        .mapToLong(parts -> Long.parseLong(parts[1])).sorted().toArray();
                long delivered = Files.readAllLines(samples).size();
                return String.format(Locale.ROOT, "| %,d | %,.0f | %,d of %,d | %.2f | %.2f | %.2f | %.2f | %.2f "
                        + "| %d / %d |", rate, published, delivered, expected, pct(micros, 50), pct(micros, 90),
                        pct(micros, 99), pct(micros, 99.9), micros.length == 0 ? Double.NaN
                                : micros[micros.length - 1] / 1000.0, rss / 1024, peak / 1024);
            } finally {
                relay.destroy();
                relay.waitFor(20, TimeUnit.SECONDS);
                relay.destroyForcibly();
            }
        }
    }

    /**
     * Extra JVM options for the relay, from the system property {@code bench.relay.jvm} (space-separated), e.g.
     * {@code -XX:StartFlightRecording=filename=relay.jfr} to profile it.
     */
    private static List<String> relayJvmArgs() {
        String extra = System.getProperty("bench.relay.jvm", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /** The {@code p}-th percentile (nearest rank) of sorted microseconds, in milliseconds. */
    private static double pct(long[] sortedMicros, double p) {
        if (sortedMicros.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedMicros.length);
        return sortedMicros[Math.max(0, rank - 1)] / 1000.0;
    }

    /** Where the bench's classes (with the bench-latency sink and its service file) are, for the relay's class path. */
    private static final class LatencySinkFactoryHolder {
        static String location() throws Exception {
            return Path.of(io.alertrelay.bench.sink.LatencySinkFactory.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        }
    }

    private static long delivered(String metrics, Pattern metric) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(metrics)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher matcher = metric.matcher(response.body());
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : 0;
    }

    private static String run(Path jar, int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("relay-jar-bench");
        try (RedisServerProcess redis = RedisServerProcess.startStandalone()) {
            Files.writeString(dir.resolve("relay.yaml"), """
                    redis: {url: "redis://127.0.0.1:%d"}
                    subscriptions: [{pattern: "alerts:*"}]
                    sinks: {console: {type: %s}}
                    http: {port: 0}
                    """.formatted(redis.port(), SINK)); // the outbox: ./alert-relay-data in the relay's working directory
            Path stderr = dir.resolve("relay.stderr");
            long launched = System.nanoTime();
            java.time.LocalTime launchedAt = java.time.LocalTime.now();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
            command.addAll(relayJvmArgs());
            if (SINK.equals("console")) {
                command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            } else { // the bench's sinks, found by ServiceLoader beside the jar's
                command.addAll(List.of("-cp", jar.toAbsolutePath() + java.io.File.pathSeparator
                        + LatencySinkFactoryHolder.location(), "io.alertrelay.app.Main"));
            }
            command.addAll(List.of("--config", dir.resolve("relay.yaml").toString()));
            Process relay = new ProcessBuilder(command)
                    .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile()).start();
            try {
                awaitLine(stderr, "-> VERIFIED", relay);
                long startupMillis = (System.nanoTime() - launched) / 1_000_000;
                System.err.println("start-up of the " + String.format(Locale.ROOT, "%,d", rate) + "/s run: "
                        + startupPhases(Files.readString(stderr), launchedAt));
                awaitLine(stderr, "Health and metrics on", relay);
                Matcher port = PORT.matcher(Files.readString(stderr));
                if (!port.find()) {
                    throw new IllegalStateException("no HTTP port in the relay's log");
                }
                String metrics = "http://127.0.0.1:" + port.group(1) + "/metrics";

                // the bare subscriber has a client (and so I/O threads) of its own, so its CPU time can be read
                RedisClient bareClient = RedisClient.create("redis://127.0.0.1:" + redis.port());
                AtomicLong bare = new AtomicLong();
                StatefulRedisPubSubConnection<String, String> subscriber = bareClient.connectPubSub();
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String pattern, String channel, String message) {
                        bare.incrementAndGet();
                    }
                });
                subscriber.sync().psubscribe("alerts:*");
                java.util.Set<Long> bareThreads = ioThreads();
                RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
                long before = delivered(metrics);
                long relayCpuBefore = cpuMicros(relay.pid());
                long bareCpuBefore = threadCpuMicros(bareThreads);
                double published;
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    published = publish(connection.async(), rate, seconds, false);
                }
                long rss = rssKb(relay.pid(), "VmRSS");
                long peak = rssKb(relay.pid(), "VmHWM");
                long expected = (long) rate * seconds; // every PUBLISH was acknowledged by Redis
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long got = delivered(metrics) - before;
                while (got < expected && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    got = delivered(metrics) - before;
                }
                long relayCpu = cpuMicros(relay.pid()) - relayCpuBefore;
                long bareCpu = threadCpuMicros(bareThreads) - bareCpuBefore;
                long lost = Files.readString(stderr).lines().filter(line -> line.contains("Redis source VERIFIED -> "))
                        .count();
                subscriber.close();
                bareClient.shutdown();
                client.shutdown();
                return String.format(Locale.ROOT, "| %,d | %,.0f | %,d | %,d | %.3f | %d | %.1f / %.1f | %d / %d | %d |",
                        rate, published, bare.get(), got, bare.get() == 0 ? 0 : (double) got / bare.get(), lost,
                        got == 0 ? Double.NaN : (double) relayCpu / got,
                        bare.get() == 0 ? Double.NaN : (double) bareCpu / bare.get(), rss / 1024, peak / 1024,
                        startupMillis);
            } finally {
                relay.destroy();
                relay.waitFor(20, TimeUnit.SECONDS);
                relay.destroyForcibly();
            }
        }
    }

    /** Publishes at {@code rate} per second for {@code seconds}, pipelined; returns the rate achieved. */
    private static double publish(RedisAsyncCommands<String, String> commands, int rate, int seconds, boolean stamped)
            throws Exception {
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        List<RedisFuture<Long>> pending = new ArrayList<>(2_000);
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String payload = String.format(PAYLOAD, i);
            if (stamped) {
                java.time.Instant now = java.time.Instant.now();
                payload = payload.substring(0, payload.length() - 1) + ",\"seq\":" + i + ",\"sent-micros\":"
                        + (now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000) + "}";
            }
            pending.add(commands.publish("alerts:prod", payload));
            if (pending.size() == 2_000) {
                for (RedisFuture<Long> future : pending) {
                    future.get(10, TimeUnit.SECONDS);
                }
                pending.clear();
            }
        }
        for (RedisFuture<Long> future : pending) {
            future.get(10, TimeUnit.SECONDS);
        }
        return total / ((System.nanoTime() - start) / 1e9);
    }

    private static long delivered(String metrics) throws Exception {
        return delivered(metrics, DELIVERED);
    }

    /**
     * Where the start-up time went, from the relay's log timestamps (same machine clock): {@code java -jar} to the
     * first log line (JVM start, class loading, logging set up), to the outbox opened (config parsed, sinks created),
     * to "Starting Redis source" (Guice wiring, watchdog), to the first VERIFIED (connect, subscribe, CLIENT INFO).
     */
    private static String startupPhases(String log, java.time.LocalTime launched) {
        List<String> lines = log.lines().toList();
        java.time.LocalTime first = at(lines, "");
        java.time.LocalTime outbox = at(lines, "Main - Outbox:");
        java.time.LocalTime source = at(lines, "Starting Redis source");
        java.time.LocalTime verified = at(lines, "-> VERIFIED");
        return String.format(Locale.ROOT, "JVM to first log line %d ms, config and sinks to outbox open %d ms, "
                + "wiring to Redis source start %d ms, connect+subscribe+verify %d ms", millis(launched, first),
                millis(first, outbox), millis(outbox, source), millis(source, verified));
    }

    private static java.time.LocalTime at(List<String> lines, String text) {
        for (String line : lines) {
            if (line.length() > 12 && line.contains(text) && Character.isDigit(line.charAt(0))) {
                return java.time.LocalTime.parse(line.substring(0, 12));
            }
        }
        return null;
    }

    private static long millis(java.time.LocalTime from, java.time.LocalTime to) {
        return from == null || to == null ? -1 : Duration.between(from, to).toMillis();
    }

    /** User plus system CPU time of a process so far, from {@code /proc/<pid>/stat} (clock ticks of 10 ms). */
    private static long cpuMicros(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state is field 0, utime field 11, stime field 12
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000;
    }

    /** The Lettuce I/O threads of this JVM now (taken right after the bare subscriber connected). */
    private static java.util.Set<Long> ioThreads() {
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().contains("nioEventLoop") || thread.getName().contains("epollEventLoop")) {
                ids.add(thread.getId());
            }
        }
        return ids;
    }

    private static long threadCpuMicros(java.util.Set<Long> threads) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads) {
            long nanos = mx.getThreadCpuTime(id);
            total += Math.max(0, nanos) / 1_000;
        }
        return total;
    }

    private static long rssKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void awaitLine(Path file, String text, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("relay exited: " + Files.readString(file));
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no '" + text + "' in the relay's log within 60 s");
    }
}
