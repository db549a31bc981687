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
    private static final Pattern DELIVERED =
            Pattern.compile("alertrelay_sink_delivered_total\\{sink=\"console\",type=\"console\"} ([0-9.E]+)");
    /** Each its own alert (its own fingerprint), or the repeat rule would send only the first. */
    private static final String PAYLOAD = "{\"id\":\"evt-%1$d\",\"fingerprint\":\"evt-%1$d\",\"title\":\"Disk full on db-1\",\"status\":\"firing\","
            + "\"severity\":\"critical\",\"summary\":\"/var at 97%%\",\"labels\":{\"host\":\"db-1\",\"team\":\"storage\","
            + "\"region\":\"eu-west-1\"},\"source\":\"monitor-7\",\"timestamp\":\"2026-11-23T10:00:00Z\","
            + "\"runbook\":\"https://wiki/runbooks/disk\"}";

    private RelayJarBench() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "app/target/alert-relay.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Integer> rates = new ArrayList<>();
        for (String rate : (args.length > 2 ? args[2] : "10000,50000,100000").split(",")) {
            rates.add(Integer.parseInt(rate.trim()));
        }
        System.out.printf(Locale.ROOT, "jar %s, %d s per rate, rates %s, %d cores, Java %s%n", jar, seconds, rates,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| target/s | published/s | bare subscriber got | relay delivered | relay/bare | relay "
                + "subscription lost | relay RSS end / peak (MB) | java -jar -> VERIFIED (ms) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int rate : rates) {
            System.out.println(run(jar, rate, seconds));
        }
    }

    private static String run(Path jar, int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("relay-jar-bench");
        try (RedisServerProcess redis = RedisServerProcess.startStandalone()) {
            Files.writeString(dir.resolve("relay.yaml"), """
                    redis: {url: "redis://127.0.0.1:%d"}
                    subscriptions: [{pattern: "alerts:*"}]
                    sinks: {console: {type: console}}
                    http: {port: 0}
                    """.formatted(redis.port())); // the outbox: ./alert-relay-data in the relay's working directory
            Path stderr = dir.resolve("relay.stderr");
            long launched = System.nanoTime();
            Process relay = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "--config", dir.resolve("relay.yaml").toString())
                    .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile()).start();
            try {
                awaitLine(stderr, "-> VERIFIED", relay);
                long startupMillis = (System.nanoTime() - launched) / 1_000_000;
                awaitLine(stderr, "Health and metrics on", relay);
                Matcher port = PORT.matcher(Files.readString(stderr));
                if (!port.find()) {
                    throw new IllegalStateException("no HTTP port in the relay's log");
                }
                String metrics = "http://127.0.0.1:" + port.group(1) + "/metrics";

                RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
                AtomicLong bare = new AtomicLong();
                StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String pattern, String channel, String message) {
                        bare.incrementAndGet();
                    }
                });
                subscriber.sync().psubscribe("alerts:*");
                long before = delivered(metrics);
                double published;
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    published = publish(connection.async(), rate, seconds);
                }
                long rss = rssKb(relay.pid(), "VmRSS");
                long peak = rssKb(relay.pid(), "VmHWM");
                long expected = (long) (published * seconds);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long got = delivered(metrics) - before;
                while (got < expected && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    got = delivered(metrics) - before;
                }
                long lost = Files.readString(stderr).lines().filter(line -> line.contains("Redis source VERIFIED -> "))
                        .count();
                subscriber.close();
                client.shutdown();
                return String.format(Locale.ROOT, "| %,d | %,.0f | %,d | %,d | %.3f | %d | %d / %d | %d |", rate,
                        published, bare.get(), got, bare.get() == 0 ? 0 : (double) got / bare.get(), lost,
                        rss / 1024, peak / 1024, startupMillis);
            } finally {
                relay.destroy();
                relay.waitFor(20, TimeUnit.SECONDS);
                relay.destroyForcibly();
            }
        }
    }

    /** Publishes at {@code rate} per second for {@code seconds}, pipelined; returns the rate achieved. */
    private static double publish(RedisAsyncCommands<String, String> commands, int rate, int seconds) throws Exception {
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        List<RedisFuture<Long>> pending = new ArrayList<>(2_000);
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            pending.add(commands.publish("alerts:prod", String.format(PAYLOAD, i)));
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
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(metrics)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher matcher = DELIVERED.matcher(response.body());
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : 0;
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
