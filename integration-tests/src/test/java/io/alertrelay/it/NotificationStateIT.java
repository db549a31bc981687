package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 on the jar: the repeat rule (the same firing alert published 50 times notifies once, its resolution once)
 * and silences made over HTTP (they hold only for what they match, survive a restart, and end on time).
 */
@RequiresRedisServer
final class NotificationStateIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "it-token-0123456789abcdef";

    @TempDir
    Path dir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private int cliRuns;

    @Test
    void theSameFiringAlertPublished50TimesInAMinuteNotifiesOnceAndItsResolutionOnce() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             SlackWebhook slack = new SlackWebhook();
             Publisher publisher = new Publisher("127.0.0.1", redis.port());
             RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), """
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
            for (int i = 0; i < 50; i++) {
                // a monitor re-sending its check: a new id each time, the same channel, title and labels
                assertThat(publisher.publish("alerts:prod", "{\"id\":\"chk-" + i + "\",\"title\":\"Disk full on db-1\","
                        + "\"severity\":\"critical\",\"labels\":{\"host\":\"db-1\"}}")).isEqualTo(1);
                Thread.sleep(100);
            }
            JsonNode firing = slack.next(WAIT);
            assertThat(firing.path("text").asText()).startsWith("[FIRING]").contains("Disk full on db-1");
            for (int i = 0; i < 3; i++) {
                publisher.publish("alerts:prod", "{\"id\":\"res-" + i + "\",\"title\":\"Disk full on db-1\","
                        + "\"status\":\"resolved\",\"severity\":\"critical\",\"labels\":{\"host\":\"db-1\"}}");
            }
            JsonNode resolved = slack.next(WAIT);
            assertThat(resolved.path("text").asText()).startsWith("[RESOLVED]").contains("Disk full on db-1");
            assertThat(slack.drain(Duration.ofSeconds(3))).as("nothing more than one firing and one resolution")
                    .isZero();
            assertThat(http.body("/metrics")).contains("alertrelay_alerts_deduplicated_total 51.0");
        }
    }

    @Test
    void aSilenceMadeOverHttpHoldsOnlyForWhatItMatchesSurvivesARestartAndEndsOnTime() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             ScriptedSlack slack = new ScriptedSlack();
             Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
            String config = """
                    redis:
                      url: redis://127.0.0.1:%d
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      ops-slack:
                        type: slack
                        webhook-url: ${SLACK_WEBHOOK_URL}
                    http: {port: 0, token: "${API_TOKEN}"}
                    """.formatted(redis.port());
            Map<String, String> env = Map.of("SLACK_WEBHOOK_URL", slack.url(), "API_TOKEN", TOKEN);
            Instant until = Instant.now().plusSeconds(60);
            String id;
            try (RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), config, env)) {
                relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
                HttpProbe http = new HttpProbe(relay);
                String body = "{\"matchers\":[\"service=batch\",\"severity!=critical\"],\"until\":\"" + until
                        + "\",\"author\":\"it\",\"comment\":\"nightly batch rework\"}";
                assertThat(send(http, "POST", "/api/silences", body, null).statusCode()).as("no token").isEqualTo(401);
                HttpResponse<String> created = send(http, "POST", "/api/silences", body, TOKEN);
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                id = JSON.readTree(created.body()).path("id").asText();

                publisher.publish("alerts:prod", "{\"title\":\"sil-1 batch late\",\"labels\":{\"service\":\"batch\"}}");
                publisher.publish("alerts:prod", "{\"title\":\"sil-2 batch failed\",\"severity\":\"critical\","
                        + "\"labels\":{\"service\":\"batch\"}}");
                publisher.publish("alerts:prod", "{\"title\":\"sil-3 web slow\",\"labels\":{\"service\":\"web\"}}");
                slack.awaitAccepted(accepted -> accepted.containsKey("sil-2") && accepted.containsKey("sil-3"), WAIT);
                assertThat(http.body("/metrics")).contains("alertrelay_silenced_total 1.0");
                JsonNode status = JSON.readTree(http.body("/status")).path("silences");
                assertThat(status.path("silenced").asLong()).isEqualTo(1);
                assertThat(status.path("silences").toString()).contains(id).contains("nightly batch rework");
                assertThat(relay.stop()).isZero();
            }
            assertThat(slack.accepted()).doesNotContainKey("sil-1");

            try (RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), config, env)) {
                relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
                HttpProbe http = new HttpProbe(relay);
                String url = "http://127.0.0.1:" + http.port();
                JsonNode listed = JSON.readTree(send(http, "GET", "/api/silences/" + id, null, TOKEN).body());
                assertThat(listed.path("state").asText()).as("still there after the restart").isEqualTo("active");
                assertThat(cli(Map.of("RELAY_HTTP_TOKEN", TOKEN), "silence", "list", "--url", url))
                        .contains(id).contains("service=batch,severity!=critical").contains("1 silence(s)");

                publisher.publish("alerts:prod", "{\"title\":\"sil-4 batch late\",\"labels\":{\"service\":\"batch\"}}");
                publisher.publish("alerts:prod", "{\"title\":\"sil-5 web slow\",\"labels\":{\"service\":\"web\"}}");
                slack.awaitAccepted(accepted -> accepted.containsKey("sil-5"), WAIT);
                assertThat(http.body("/metrics")).contains("alertrelay_silenced_total 1.0");

                // the CLI: add and expire one of its own
                String added = cli(Map.of("RELAY_HTTP_TOKEN", TOKEN), "silence", "add", "service=web",
                        "--for", "1h", "--comment", "deploy", "--author", "it", "--url", url);
                String cliId = added.lines().findFirst().orElseThrow().split(" ")[1];
                publisher.publish("alerts:prod", "{\"title\":\"sil-6 web slow\",\"labels\":{\"service\":\"web\"}}");
                assertThat(cli(Map.of("RELAY_HTTP_TOKEN", TOKEN), "silence", "expire", cliId, "--url", url))
                        .contains("expired");
                publisher.publish("alerts:prod", "{\"title\":\"sil-7 web slow\",\"labels\":{\"service\":\"web\"}}");
                slack.awaitAccepted(accepted -> accepted.containsKey("sil-7"), WAIT);

                // on time: after until, the same alert is sent
                long left = Duration.between(Instant.now(), until).toMillis();
                assertThat(left).as("the test reached the expiry check before until").isPositive();
                publisher.publish("alerts:prod", "{\"title\":\"sil-8 batch late\",\"labels\":{\"service\":\"batch\"}}");
                Thread.sleep(left + 500);
                publisher.publish("alerts:prod", "{\"title\":\"sil-9 batch late\",\"labels\":{\"service\":\"batch\"}}");
                slack.awaitAccepted(accepted -> accepted.containsKey("sil-9"), WAIT);
                assertThat(JSON.readTree(send(http, "GET", "/api/silences/" + id, null, TOKEN).body())
                        .path("state").asText()).isEqualTo("expired");
                assertThat(http.body("/metrics")).contains("alertrelay_silenced_total 3.0");
            }
            assertThat(slack.accepted()).doesNotContainKeys("sil-1", "sil-4", "sil-6", "sil-8")
                    .containsEntry("sil-2", 1).containsEntry("sil-3", 1).containsEntry("sil-5", 1)
                    .containsEntry("sil-7", 1).containsEntry("sil-9", 1);
        }
    }

    @Test
    void aGroupIsOneMessageAndAGroupWaitingAcrossARestartIsSentAfterIt() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             SlackWebhook slack = new SlackWebhook();
             Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
            String config = """
                    redis:
                      url: redis://127.0.0.1:%d
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      ops-slack:
                        type: slack
                        webhook-url: ${SLACK_WEBHOOK_URL}
                    routes:
                      - sinks: [ops-slack]
                        group-by: [service]
                        group-wait: 8s
                        group-interval: 1m
                    http: {port: 0}
                    """.formatted(redis.port());
            Map<String, String> env = Map.of("SLACK_WEBHOOK_URL", slack.url());
            try (RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), config, env)) {
                relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
                for (int i = 1; i <= 5; i++) {
                    publisher.publish("alerts:prod", "{\"title\":\"db-" + i + " down\",\"severity\":\"critical\","
                            + "\"labels\":{\"service\":\"db\",\"host\":\"db-" + i + "\"}}");
                }
                JsonNode group = slack.next(WAIT);
                assertThat(group.path("text").asText()).contains("db-1 down … and 4 more");
                assertThat(group.toString()).contains("db-5 down");

                publisher.publish("alerts:prod", "{\"title\":\"web-1 slow\",\"labels\":{\"service\":\"web\"}}");
                publisher.publish("alerts:prod", "{\"title\":\"web-2 slow\",\"labels\":{\"service\":\"web\"}}");
                HttpProbe http = new HttpProbe(relay);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (JSON.readTree(http.body("/status")).path("silences").path("openGroups").asInt() < 2) {
                    assertThat(System.nanoTime()).as("the web group is open").isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(relay.stop()).as("stopped within group-wait").isZero();
            }
            assertThat(slack.drain(Duration.ofMillis(200))).as("the web group was not sent before the stop").isZero();
            try (RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), config, env)) {
                JsonNode web = slack.next(WAIT);
                assertThat(web.path("text").asText()).contains("web-1 slow … and 1 more");
                assertThat(slack.drain(Duration.ofSeconds(2))).as("the db group is not sent again").isZero();
            }
        }
    }

    private HttpResponse<String> send(HttpProbe http, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String cli(Map<String, String> env, String... args) throws Exception {
        RelayProcess cli = RelayProcess.start(dir.resolve("cli-" + ++cliRuns), env, args);
        assertThat(cli.awaitExit(WAIT)).as("exit code of %s; stderr: %s", String.join(" ", args), cli.stderr()).isZero();
        return cli.stdout();
    }
}
