package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent health path, black box: Slack starts refusing the webhook (403 invalid_token), the relay marks the
 * sink FAILED and says so by email (a real SMTP server, GreenMail); when Slack accepts again, the email says it
 * recovered.
 */
@RequiresRedisServer
final class BrokenSlackReportedByEmailIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path dir;

    @Test
    void aBrokenSlackIsReportedByEmailAndItsRecoveryToo() throws Exception {
        AtomicBoolean slackBroken = new AtomicBoolean(true);
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             MockWebServer slack = new MockWebServer();
             HeartbeatServer heartbeat = new HeartbeatServer()) {
            List<String> heartbeats = heartbeat.paths();
            slack.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return slackBroken.get() ? new MockResponse().setResponseCode(403).setBody("invalid_token")
                            : new MockResponse().setResponseCode(200).setBody("ok");
                }
            });
            slack.start(InetAddress.getLoopbackAddress(), 0);
            try (RelayProcess relay = RelayProcess.startWithConfig(dir, """
                    redis:
                      url: redis://127.0.0.1:%d
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      ops-slack:
                        type: slack
                        webhook-url: ${SLACK_WEBHOOK_URL}
                      ops-mail:
                        type: email
                        host: 127.0.0.1
                        port: %d
                        tls: none
                        from: relay@example.com
                        to: [oncall@example.com]
                    routes:
                      - sinks: [ops-slack]
                    watchdog:
                      canary: {interval: 1s, timeout: 500ms}
                      heartbeat-url: ${HEARTBEAT_URL}
                      heartbeat-interval: 1s
                      health-route: [ops-mail]
                      sink-failed-after: 2
                    http: {port: 0}
                    """.formatted(redis.port(), smtp.getSmtp().getPort()),
                    Map.of("SLACK_WEBHOOK_URL", slack.url("/services/T0/B0/SECRETTOKEN").toString(),
                            "HEARTBEAT_URL", heartbeat.url("/ping/hc-1")))) {
                relay.awaitStderr(line -> line.contains("VERIFIED"), WAIT);
                heartbeat.await("/ping/hc-1", 0, WAIT);
                try (Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
                    publisher.publish("alerts:prod", "{\"title\":\"first\"}");
                    publisher.publish("alerts:prod", "{\"title\":\"second\"}");
                    MimeMessage failing = awaitMail("sink ops-slack is failing", 1);
                    assertThat(failing.getSubject()).contains("FIRING").contains("critical");
                    assertThat(failing.getAllRecipients()).extracting(Object::toString).containsExactly("oncall@example.com");

                    // the dead man's switch: while a sink is FAILED the loop is broken, so /fail, never a success
                    int failedAt = heartbeats.size();
                    heartbeat.await("/ping/hc-1/fail", failedAt, WAIT);
                    int failAt = heartbeats.indexOf("/ping/hc-1/fail");

                    slackBroken.set(false);
                    publisher.publish("alerts:prod", "{\"title\":\"third\"}");
                    MimeMessage recovered = awaitMail("sink ops-slack is failing", 2);
                    assertThat(recovered.getSubject()).contains("RESOLVED");
                    int recoveredAt = heartbeats.size();
                    heartbeat.await("/ping/hc-1", recoveredAt, WAIT);
                    assertThat(heartbeats.subList(failAt, recoveredAt)).as("no success ping while the sink was FAILED")
                            .doesNotContain("/ping/hc-1");
                }
                assertThat(relay.stderr()).contains("Sink ops-slack is FAILED").doesNotContain("SECRETTOKEN");
                assertThat(Arrays.stream(smtp.getReceivedMessages()).map(BrokenSlackReportedByEmailIT::body))
                        .noneMatch(text -> text.contains("SECRETTOKEN"));
            }
        }
    }

    /** Waits until {@code count} received mails have a subject containing {@code subject}; returns the last. */
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
                + Arrays.stream(smtp.getReceivedMessages()).map(BrokenSlackReportedByEmailIT::subjectOf).toList());
    }

    private static String subjectOf(MimeMessage message) {
        try {
            return String.valueOf(message.getSubject());
        } catch (Exception e) {
            return "";
        }
    }

    private static String body(MimeMessage message) {
        return com.icegreen.greenmail.util.GreenMailUtil.getWholeMessage(message);
    }
}
