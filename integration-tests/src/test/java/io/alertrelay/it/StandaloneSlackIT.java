package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar against a real standalone redis-server and an HTTP server standing in for Slack. */
@RequiresRedisServer
final class StandaloneSlackIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private RedisServerProcess redis;
    private SlackWebhook slack;
    private RelayProcess relay;
    private Publisher publisher;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerProcess.startStandalone();
        slack = new SlackWebhook();
        relay = RelayProcess.startWithConfig(dir, """
                redis:
                  url: redis://127.0.0.1:%d
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  ops-slack:
                    type: slack
                    webhook-url: ${SLACK_WEBHOOK_URL}
                  console:
                    type: console
                routes:
                  - sinks: [ops-slack, console]
                http: {port: 0}
                """.formatted(redis.port()), Map.of("SLACK_WEBHOOK_URL", slack.url()));
        relay.awaitStderr(line -> line.contains("VERIFIED"), WAIT);
        publisher = new Publisher("127.0.0.1", redis.port());
    }

    @AfterEach
    void stop() throws Exception {
        if (publisher != null) {
            publisher.close();
        }
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

    @Test
    void relaysAPublishedAlertToOneWebhookPostAndTheConsole() throws Exception {
        assertThat(publisher.publish("alerts:prod", """
                {"id":"evt-42","title":"Disk full on db-1","status":"firing","severity":"critical",
                 "summary":"/var at 97%","labels":{"host":"db-1","team":"storage"},"source":"monitor-7",
                 "timestamp":"2026-11-23T10:00:00Z"}""")).isEqualTo(1);
        JsonNode body = slack.next(WAIT);
        assertThat(body.path("text").asText()).contains("Disk full on db-1").contains("critical");
        assertThat(body.toString()).contains("db-1").contains("monitor-7").contains("evt-42");
        relay.awaitStdout(line -> line.contains("FIRING [critical] Disk full on db-1"), WAIT);
        assertThat(slack.drain(Duration.ofMillis(500))).as("exactly one POST").isZero();
    }

    @Test
    void malformedEventsAreReportedAndTheNextGoodOneIsStillDelivered() throws Exception {
        publisher.publish("alerts:prod", "this is not json");
        publisher.publish("alerts:prod", "{\"severity\":\"critical\"}");
        publisher.publish("alerts:prod", "{\"title\":\"" + "x".repeat(1024 * 1024) + "\"}");
        publisher.publish("alerts:prod", "{\"title\":\"still delivered\"}");
        JsonNode body = slack.next(WAIT);
        assertThat(body.path("text").asText()).contains("still delivered");
        String stderr = relay.stderr();
        assertThat(stderr).contains("Rejected event on channel alerts:prod (not_json")
                .contains("Rejected event on channel alerts:prod (missing_title")
                .contains("Rejected event on channel alerts:prod (too_large, 1048588 bytes)");
        assertThat(relay.isAlive()).isTrue();
    }

    private void awaitVerifiedCount(int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (relay.stderr().lines().filter(line -> line.contains("-> VERIFIED")).count() < count) {
            assertThat(System.nanoTime()).as("subscription verified again after the restart").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aRestartedServerDoesNotCostTheSubscription() throws Exception {
        publisher.close();
        redis.restart();
        awaitVerifiedCount(2);
        publisher = new Publisher("127.0.0.1", redis.port());
        publisher.publish("alerts:prod", "{\"title\":\"after restart\"}");
        assertThat(slack.next(WAIT).path("text").asText()).contains("after restart");
    }
}
