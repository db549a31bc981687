package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload against the jar: SIGHUP and {@code POST /-/reload} while a publisher sends numbered alerts throughout. A new
 * sink, route and subscription take effect; a bad config and a change that needs a restart are rejected with their
 * reasons and the old configuration keeps running; every alert published during all of it reaches the console sink
 * (no gap: the subscription that stays is never dropped); {@code /status} and {@code /metrics} say which config is
 * live.
 */
@RequiresRedisServer
final class ReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern CONSOLE_SEQ = Pattern.compile("seq (\\d+)");

    @TempDir
    Path dir;
    private RedisServerProcess redis;
    private SlackWebhook slack;
    private RelayProcess relay;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
            assertThat(relay.stderr()).as("the webhook token never reaches a log line").doesNotContain("SECRETTOKEN");
        }
        if (slack != null) {
            slack.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private String config(String extraSinks, String extraSubscriptions, String routes) {
        return """
                redis:
                  url: redis://127.0.0.1:%d
                subscriptions:
                  - pattern: "alerts:*"
                %s
                sinks:
                  console:
                    type: console
                %s
                routes:
                %s
                http: {port: 0}
                """.formatted(redis.port(), extraSubscriptions, extraSinks, routes);
    }

    @Test
    void sighupAndPostReloadApplyNewSinksRoutesAndSubscriptionsWithoutAGapAndRejectBadConfigs() throws Exception {
        redis = RedisServerProcess.startStandalone();
        slack = new SlackWebhook();
        Path file = dir.resolve("relay.yaml");
        relay = RelayProcess.startWithConfig(dir, config("", "", "  - sinks: [console]"),
                Map.of("SLACK_WEBHOOK_URL", slack.url()));
        relay.awaitStderr(line -> line.contains("VERIFIED"), WAIT);
        HttpProbe probe = new HttpProbe(relay);
        String firstHash = hash(probe.body("/status"));

        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        List<Integer> unheard = new ArrayList<>();
        Thread publisherThread = new Thread(() -> {
            try (Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
                for (int seq = 0; publishing.get(); seq++) {
                    if (publisher.publish("alerts:prod", "{\"title\":\"seq " + seq + "\"}") == 0) {
                        unheard.add(seq); // no subscriber at this moment: the gap this test exists to catch
                    }
                    published.set(seq + 1);
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "publisher");
        publisherThread.start();
        awaitPublished(published, 200);

        // 1. SIGHUP: a new Slack sink, routes to it, and a new subscription
        Files.writeString(file, config("""
                  ops-slack:
                    type: slack
                    webhook-url: ${SLACK_WEBHOOK_URL}
                """, """
                  - channel: "ops"
                """, """
                  - sinks: [console]
                  - sinks: [ops-slack]
                    match: {channel: ["ops"]}
                """), StandardCharsets.UTF_8);
        Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(relay.pid())).start();
        assertThat(hup.waitFor()).isZero();
        relay.awaitStderr(line -> line.contains("Configuration reloaded (SIGHUP)"), WAIT);
        assertThat(relay.stderr()).contains("sinks.ops-slack: added", "subscriptions: added channel ops",
                "routes: replaced");
        awaitPublished(published, published.get() + 200);
        try (Publisher ops = new Publisher("127.0.0.1", redis.port())) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ops.publish("ops", "{\"title\":\"to the new sink\"}") == 0) { // the new subscription is live
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
        assertThat(slack.awaitText("to the new sink", WAIT).path("text").asText()).contains("to the new sink");
        String secondHash = hash(probe.body("/status"));
        assertThat(secondHash).isNotEqualTo(firstHash);

        // 2. POST /-/reload with an invalid file: rejected with its problems; the old config keeps running
        String good = Files.readString(file);
        Files.writeString(file, good.replace("webhook-url: ${SLACK_WEBHOOK_URL}",
                "webhook-url: ${SLACK_WEBHOOK_URL}\n    timeout: 5x"), StandardCharsets.UTF_8);
        HttpResponse<String> rejected = post(probe.port());
        assertThat(rejected.statusCode()).isEqualTo(422);
        assertThat(rejected.body()).containsPattern("\"result\"\\s*:\\s*\"rejected\"")
                .contains("sinks.ops-slack.timeout: '5x' is not a duration");
        assertThat(hash(probe.body("/status"))).isEqualTo(secondHash);

        // 3. a change of a section that needs a restart is rejected naming the key, value not shown
        Files.writeString(file, good.replace("http: {port: 0}", "http: {port: 0}\nevents: {max-size: 64KiB}"),
                StandardCharsets.UTF_8);
        HttpResponse<String> restart = post(probe.port());
        assertThat(restart.statusCode()).isEqualTo(422);
        assertThat(restart.body()).contains("needs a restart: events.max-size");

        // 4. the old one still delivers to the sink added in 1
        try (Publisher ops = new Publisher("127.0.0.1", redis.port())) {
            ops.publish("ops", "{\"title\":\"still running\"}");
        }
        assertThat(slack.awaitText("still running", WAIT).path("text").asText()).contains("still running");

        // 5. POST /-/reload with the good file again: applied (the sink's timeout changed: a new worker)
        Files.writeString(file, good.replace("webhook-url: ${SLACK_WEBHOOK_URL}",
                "webhook-url: ${SLACK_WEBHOOK_URL}\n    timeout: 7s"), StandardCharsets.UTF_8);
        HttpResponse<String> applied = post(probe.port());
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(applied.body()).contains("sinks.ops-slack: changed");
        awaitPublished(published, published.get() + 200);

        publishing.set(false);
        publisherThread.join(10_000);
        int total = published.get();
        assertThat(unheard).as("alerts published while no subscription listened").isEmpty();
        Set<Integer> seen = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (seen.size() < total && System.nanoTime() < deadline) {
            Matcher matcher = CONSOLE_SEQ.matcher(relay.stdout());
            while (matcher.find()) {
                seen.add(Integer.parseInt(matcher.group(1)));
            }
            Thread.sleep(200);
        }
        List<Integer> missing = new ArrayList<>();
        for (int seq = 0; seq < total; seq++) {
            if (!seen.contains(seq)) {
                missing.add(seq);
            }
        }
        assertThat(missing).as("of %d alerts published through three reloads, none is missing", total).isEmpty();

        assertThat(relay.stderr().lines().filter(line -> line.contains("lind window") || line.contains("may not have"))
                .toList()).as("blind windows reported during the reloads").isEmpty();
        String metrics = probe.body("/metrics");
        assertThat(metrics).contains("alertrelay_config_reloads_total{result=\"applied\"} 2.0",
                "alertrelay_config_reloads_total{result=\"rejected\"} 2.0",
                "alertrelay_config_info{hash=\"" + hash(probe.body("/status")) + "\"} 1");
        assertThat(probe.body("/status")).contains("\"lastReload\"").containsPattern("\"result\"\\s*:\\s*\"applied\"");
    }

    @Test
    void postReloadIsRefusedOffLoopbackWithoutAToken() throws Exception {
        redis = RedisServerProcess.startStandalone();
        relay = RelayProcess.startWithConfig(dir, """
                redis: {url: "redis://127.0.0.1:%d"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks: {console: {type: console}}
                http: {port: 0, bind: 0.0.0.0}
                """.formatted(redis.port()), Map.of());
        // bound to the wildcard address the log shows 0.0.0.0 or 0:0:0:0:0:0:0:0; the port is the last number
        Pattern listening = Pattern.compile("Health and metrics on http://\\S+:(\\d+) \\(");
        relay.awaitStderr(line -> listening.matcher(line).find(), WAIT);
        Matcher matcher = listening.matcher(relay.stderr());
        assertThat(matcher.find()).isTrue();
        int port = Integer.parseInt(matcher.group(1));
        HttpResponse<String> refused = post(port);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("set http.token"); // the HTTP server's rule for every state change
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + ReloadPath.PATH)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).as("GET is not a reload").isEqualTo(405);
    }

    /** The path, spelled once. */
    private static final class ReloadPath {
        static final String PATH = "/-/reload";
    }

    private HttpResponse<String> post(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + ReloadPath.PATH))
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String hash(String status) {
        Matcher matcher = Pattern.compile("\"hash\"\\s*:\\s*\"([0-9a-f]{12})\"").matcher(status);
        assertThat(matcher.find()).as("config hash in /status: %s", status).isTrue();
        return matcher.group(1);
    }

    private static void awaitPublished(AtomicInteger published, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (published.get() < atLeast) {
            assertThat(System.nanoTime()).as("publisher progress").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
