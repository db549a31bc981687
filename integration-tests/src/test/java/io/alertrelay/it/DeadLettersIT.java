package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters (issue 8, item 3): Slack answers 400 invalid_payload, the alert is a dead letter at once with that
 * answer; {@code alert-relay dead-letters list|show} shows it, and after Slack is fixed {@code dead-letters retry}
 * delivers it; {@code purge} deletes. Counts in /status and /metrics.
 */
@RequiresRedisServer
final class DeadLettersIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private int cliRuns;

    @Test
    void aRejectedAlertIsADeadLetterAtOnceAndRetryDeliversItOnceTheSinkIsFixed() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             ScriptedSlack slack = new ScriptedSlack();
             Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
            slack.answer(400, "invalid_payload");
            try (RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), """
                    redis:
                      url: redis://127.0.0.1:%d
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      ops-slack:
                        type: slack
                        webhook-url: ${SLACK_WEBHOOK_URL}
                    http: {port: 0}
                    """.formatted(redis.port()), Map.of("SLACK_WEBHOOK_URL", slack.url()))) {
                relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
                HttpProbe http = new HttpProbe(relay);
                String url = "http://127.0.0.1:" + http.port();

                publisher.publish("alerts:prod", "{\"id\":\"dl-1\",\"title\":\"dl-1 bad blocks\"}");
                slack.awaitRefused(1, WAIT);
                awaitDeadLetters(http, 1);
                assertThat(slack.refusedCount()).as("a permanent rejection is not retried").isEqualTo(1);
                assertThat(http.body("/metrics"))
                        .contains("alertrelay_sink_dead_letters{sink=\"ops-slack\",type=\"slack\"} 1.0");

                String list = cli("dead-letters", "list", "--url", url);
                assertThat(list).contains("ops-slack  rejected").contains("alert dl-1 \"dl-1 bad blocks\"")
                        .contains("attempts 1").contains("answer: Slack answered HTTP 400: invalid_payload")
                        .contains("1 dead letter(s)");
                Matcher id = Pattern.compile("^(\\d+)  ops-slack", Pattern.MULTILINE).matcher(list);
                assertThat(id.find()).isTrue();
                assertThat(cli("dead-letters", "show", id.group(1), "--url", url)).contains("\"title\" : \"dl-1 bad blocks\"");

                slack.answer(200, "ok");
                assertThat(cli("dead-letters", "retry", id.group(1), "--url", url))
                        .contains("1 dead letter(s) retried");
                slack.awaitAccepted(accepted -> accepted.containsKey("dl-1"), WAIT);
                awaitDeadLetters(http, 0);
                assertThat(cli("dead-letters", "list", "--url", url)).contains("0 dead letter(s)");

                slack.answer(400, "invalid_payload");
                publisher.publish("alerts:prod", "{\"id\":\"dl-2\",\"title\":\"dl-2 again\"}");
                awaitDeadLetters(http, 1);
                assertThat(cli("dead-letters", "purge", "--all", "--sink", "ops-slack", "--url", url))
                        .contains("1 dead letter(s) purged");
                awaitDeadLetters(http, 0);
                assertThat(slack.accepted()).containsEntry("dl-1", 1).doesNotContainKey("dl-2");
            }
        }
    }

    private String cli(String... args) throws Exception {
        RelayProcess cli = RelayProcess.start(dir.resolve("cli-" + ++cliRuns), Map.of(), args);
        assertThat(cli.awaitExit(WAIT)).as("exit code of %s; stderr: %s", String.join(" ", args), cli.stderr()).isZero();
        return cli.stdout();
    }

    private static void awaitDeadLetters(HttpProbe http, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            for (JsonNode sink : JSON.readTree(http.body("/status")).path("sinks")) {
                if (sink.path("id").asText().equals("ops-slack")) {
                    last = sink.path("deadLetters").asLong();
                }
            }
            if (last == count) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("dead letters of ops-slack did not reach " + count + " (last " + last + ")");
    }
}
