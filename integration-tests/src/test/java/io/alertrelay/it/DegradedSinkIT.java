package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink in trouble is visible and recovers at once (issue 8, item 5): Slack answers 503; once the oldest waiting
 * alert is older than {@code delivery.degraded-after} the sink is DEGRADED in /status and /metrics and an email (the
 * health route, never Slack) says so; while it lasts one probe is retried, the rest wait; when Slack answers again the
 * whole backlog goes out at once and the email says it recovered.
 */
@RequiresRedisServer
final class DegradedSinkIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path dir;

    @Test
    void aFailingSinkIsDegradedReportedByEmailAndItsBacklogGoesOutAtOnceWhenItRecovers() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             ScriptedSlack slack = new ScriptedSlack()) {
            slack.answer(503, "service unavailable");
            try (RelayProcess relay = RelayProcess.startWithConfig(dir, """
                    redis:
                      url: redis://127.0.0.1:%d
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      ops-slack:
                        type: slack
                        webhook-url: ${SLACK_WEBHOOK_URL}
                        delivery: {initial-backoff: 1s, max-backoff: 2s}
                      ops-mail:
                        type: email
                        host: 127.0.0.1
                        port: %d
                        tls: none
                        from: relay@example.com
                        to: [oncall@example.com]
                    routes:
                      - sinks: [ops-slack]
                    delivery: {degraded-after: 2s}
                    watchdog:
                      health-route: [ops-mail]
                    http: {port: 0}
                    """.formatted(redis.port(), smtp.getSmtp().getPort()),
                    Map.of("SLACK_WEBHOOK_URL", slack.url()))) {
                relay.awaitStderr(line -> line.contains("-> VERIFIED"), WAIT);
                HttpProbe http = new HttpProbe(relay);
                try (Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
                    for (int i = 0; i < 20; i++) {
                        publisher.publish("alerts:prod", "{\"title\":\"deg-" + i + " queue full\"}");
                    }
                }
                MimeMessage degraded = awaitMail("sink ops-slack is degraded", 1);
                assertThat(degraded.getSubject()).contains("FIRING");
                assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(degraded)).contains("20 notification(s)")
                        .contains("503");
                JsonNode sink = slackStatus(http);
                assertThat(sink.path("state").asText()).isEqualTo("DEGRADED");
                assertThat(sink.path("pending").asInt()).isEqualTo(20);
                assertThat(http.body("/metrics")).contains("alertrelay_sink_degraded{sink=\"ops-slack\",type=\"slack\"} 1.0");
                assertThat(slack.refusedCount()).as("one probe at a time, the 19 others wait").isLessThan(15);

                slack.answer(200, "ok");
                slack.awaitAccepted(accepted -> accepted.size() >= 1, WAIT);
                long firstAccepted = System.nanoTime();
                slack.awaitAccepted(accepted -> accepted.size() == 20, WAIT);
                assertThat(Duration.ofNanos(System.nanoTime() - firstAccepted))
                        .as("the backlog follows the first success at once, not on each one's back-off")
                        .isLessThan(Duration.ofSeconds(2));
                MimeMessage recovered = awaitMail("sink ops-slack is degraded", 2);
                assertThat(recovered.getSubject()).contains("RESOLVED");
                assertThat(slackStatus(http).path("state").asText()).isEqualTo("OK");
                assertThat(slack.accepted().values()).allMatch(count -> count == 1);
            }
        }
    }

    private static JsonNode slackStatus(HttpProbe http) throws Exception {
        for (JsonNode sink : JSON.readTree(http.body("/status")).path("sinks")) {
            if (sink.path("id").asText().equals("ops-slack")) {
                return sink;
            }
        }
        throw new AssertionError("no ops-slack in /status");
    }

    private static MimeMessage awaitMail(String subject, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            MimeMessage[] matching = Arrays.stream(smtp.getReceivedMessages())
                    .filter(message -> subjectOf(message).contains(subject)).toArray(MimeMessage[]::new);
            if (matching.length >= count) {
                return matching[count - 1];
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + count + " mails about '" + subject + "'; got subjects "
                + Arrays.stream(smtp.getReceivedMessages()).map(DegradedSinkIT::subjectOf).toList());
    }

    private static String subjectOf(MimeMessage message) {
        try {
            return String.valueOf(message.getSubject());
        } catch (Exception e) {
            return "";
        }
    }
}
