package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, Slack: through the Web API a resolution edits the firing message in place ({@code chat.update} on its
 * {@code ts}) and replies in its thread, also when the relay was restarted (SIGTERM) in between; a bad token stops the
 * start naming the key; event text reaches Slack inert.
 */
@RequiresRedisServer
final class SlackWebApiIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIRING = """
            {"title":"Disk full on db-1","severity":"critical","labels":{"host":"db-1"},"summary":"/var at 97%"}""";
    private static final String RESOLVED = """
            {"title":"Disk full on db-1","severity":"critical","labels":{"host":"db-1"},"status":"resolved"}""";

    @TempDir
    Path dir;
    private RedisServerProcess redis;
    private SlackApiStandIn slack;
    private Publisher publisher;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerProcess.startStandalone();
        slack = new SlackApiStandIn();
        publisher = new Publisher("127.0.0.1", redis.port());
    }

    @AfterEach
    void stop() throws Exception {
        publisher.close();
        slack.close();
        redis.close();
    }

    private RelayProcess relay(String name, String token) throws Exception {
        RelayProcess relay = RelayProcess.startWithConfig(dir.resolve(name), config(), Map.of("SLACK_BOT_TOKEN", token));
        return relay;
    }

    private String config() {
        return """
                redis:
                  url: redis://127.0.0.1:%d
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  oncall-slack:
                    type: slack
                    token: ${SLACK_BOT_TOKEN}
                    channel: "#oncall"
                    api-url: %s
                    rate: { per-second: 1, burst: 3 }
                routes:
                  - sinks: [oncall-slack]
                delivery: { dir: %s }
                http: {port: 0}
                """.formatted(redis.port(), slack.apiUrl(), dir.resolve("data"));
    }

    private static List<SlackApiStandIn.Call> posts(List<SlackApiStandIn.Call> calls, boolean replies) {
        return calls.stream().filter(call -> call.method().equals("chat.postMessage") && call.status() == 200
                && call.body().has("thread_ts") == replies).toList();
    }

    private void fireThenResolve(boolean restart) throws Exception {
        RelayProcess relay = relay("first", SlackApiStandIn.TOKEN);
        try {
            relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
            assertThat(relay.stderr()).contains("auth.test accepted the token");
            publisher.publish("alerts:prod", FIRING);
            slack.await(calls -> posts(calls, false).size() == 1, WAIT, "the firing message");
            if (restart) {
                assertThat(relay.stop()).as("SIGTERM: exit 0").isZero();
                relay = relay("second", SlackApiStandIn.TOKEN);
                relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
            }
            publisher.publish("alerts:prod", RESOLVED);
            slack.await(calls -> posts(calls, true).size() == 1, WAIT, "the thread reply");
            Thread.sleep(500); // anything more would come now
            List<SlackApiStandIn.Call> calls = slack.calls();

            SlackApiStandIn.Call firing = posts(calls, false).get(0);
            assertThat(posts(calls, false)).as("one chat.postMessage for the alert").hasSize(1);
            assertThat(firing.body().path("attachments").get(0).path("color").asText()).isEqualTo("#E01E5A");
            List<SlackApiStandIn.Call> updates = slack.accepted("chat.update");
            assertThat(updates).as("one chat.update").hasSize(1);
            JsonNode update = updates.get(0).body();
            assertThat(update.path("ts").asText()).as("on the firing message's ts").isEqualTo(firing.ts());
            assertThat(update.path("channel").asText()).isEqualTo("#oncall");
            assertThat(update.path("text").asText()).startsWith("[RESOLVED]");
            assertThat(update.path("attachments").get(0).path("color").asText()).isEqualTo("#2EB67D");
            List<SlackApiStandIn.Call> replies = posts(calls, true);
            assertThat(replies).as("one thread reply").hasSize(1);
            assertThat(replies.get(0).body().path("thread_ts").asText()).isEqualTo(firing.ts());
            assertThat(replies.get(0).body().path("text").asText()).isEqualTo("Resolved: Disk full on db-1");
            assertThat(relay.stderr()).doesNotContain(SlackApiStandIn.TOKEN);
        } finally {
            relay.close();
        }
    }

    @Test
    void aResolutionEditsTheFiringMessageAndRepliesInItsThread() throws Exception {
        fireThenResolve(false);
    }

    @Test
    void aResolutionEditsTheFiringMessageAlsoAfterARestart() throws Exception {
        fireThenResolve(true);
    }

    @Test
    void aBadTokenStopsTheStartNamingTheKeyNotTheToken() throws Exception {
        Path work = dir.resolve("bad");
        java.nio.file.Files.createDirectories(work);
        java.nio.file.Files.writeString(work.resolve("relay.yaml"), config());
        try (RelayProcess relay = RelayProcess.start(work, Map.of("SLACK_BOT_TOKEN", "xoxb-WRONG-token-value"),
                "--config", work.resolve("relay.yaml").toString())) {
            assertThat(relay.awaitExit(WAIT)).isEqualTo(2);
            assertThat(relay.stderr()).contains("sinks.oncall-slack.token: Slack refused the token (auth.test answered "
                    + "invalid_auth; value not shown: sensitive)").doesNotContain("xoxb-WRONG-token-value");
        }
    }

    @Test
    void eventTextReachesSlackInert() throws Exception {
        try (SlackWebhook webhook = new SlackWebhook();
             RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("inert"), """
                     redis:
                       url: redis://127.0.0.1:%d
                     subscriptions:
                       - pattern: "alerts:*"
                     sinks:
                       ops-slack:
                         type: slack
                         webhook-url: ${SLACK_WEBHOOK_URL}
                         mention: { critical: "<!subteam^S123>" }
                     routes:
                       - sinks: [ops-slack]
                     delivery: { dir: %s }
                     http: {port: 0}
                     """.formatted(redis.port(), dir.resolve("inert-data")), Map.of("SLACK_WEBHOOK_URL", webhook.url()))) {
            relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
            publisher.publish("alerts:prod", """
                    {"id":"<@U123>","title":"<!channel> *pwned* <https://evil.example|click>","severity":"warning",
                     "summary":"<!here> & <@U0ADMIN>","labels":{"<!everyone>":"<#C123|general>"},
                     "source":"<mailto:x@evil.example>","timestamp":"2026-11-23T10:00:00Z"}""");
            JsonNode body = webhook.next(WAIT);
            assertThat(body).isEqualTo(JSON.readTree("""
                    {"text":"[FIRING] [warning] &lt;!channel&gt; *pwned* &lt;https://evil.example|click&gt;",
                     "blocks":[
                      {"type":"header","text":{"type":"plain_text",
                        "text":"[FIRING] &lt;!channel&gt; *pwned* &lt;https://evil.example|click&gt;","emoji":true}},
                      {"type":"section","fields":[
                        {"type":"mrkdwn","text":"*Severity*\\nwarning","verbatim":true},
                        {"type":"mrkdwn","text":"*Source*\\n&lt;mailto:x@evil.example&gt;","verbatim":true},
                        {"type":"mrkdwn","text":"*Channel*\\nalerts:prod","verbatim":true},
                        {"type":"mrkdwn","text":"*&lt;!everyone&gt;*\\n&lt;#C123|general&gt;","verbatim":true}]},
                      {"type":"section","text":{"type":"mrkdwn","text":"&lt;!here&gt; &amp; &lt;@U0ADMIN&gt;",
                        "verbatim":true}},
                      {"type":"context","elements":[
                        {"type":"mrkdwn","text":"id &lt;@U123&gt; | at 2026-11-23T10:00:00Z","verbatim":true}]}]}
                    """));
        }
    }
}
