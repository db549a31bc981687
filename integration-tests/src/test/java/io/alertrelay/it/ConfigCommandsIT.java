package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's configuration commands and their exit codes: {@code check-config FILE} (0 valid, 2 invalid, with every
 * limit the start would trip over), {@code --connect} (1 when Redis does not answer), {@code send-test SINK}, and
 * {@code --help} on each command.
 */
final class ConfigCommandsIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    private static String valid(int redisPort) {
        return """
                redis: {url: "redis://127.0.0.1:%d"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks: {console: {type: console}}
                """.formatted(redisPort);
    }

    @Test
    void checkConfigExitsZeroForAValidFileAndConnectsToNothing() throws Exception {
        RelayProcess relay = RelayProcess.start(dir.resolve("ok"), Map.of(), "check-config",
                write("ok.yaml", valid(1)).toString());
        assertThat(relay.awaitExit(EXIT)).isZero();
        assertThat(relay.stderr()).contains("Configuration is valid: ").doesNotContain("Redis source");
    }

    @Test
    void checkConfigFailsWithTwoOnEveryLimitTheStartWouldTripOver() throws Exception {
        RelayProcess relay = RelayProcess.start(dir.resolve("limits"), Map.of(), "check-config",
                write("limits.yaml", valid(1) + """
                        shutdown: {timeout: 110000d}
                        events: {max-size: 17179869185GiB}
                        watchdog: {canary: {interval: 106751991167d}}
                        """).toString().replace("sinks: {console: {type: console}}", ""));
        assertThat(relay.awaitExit(EXIT)).isEqualTo(2);
        assertThat(relay.stderr()).contains("shutdown.timeout: '110000d' is too long (at most 3650d)",
                "events.max-size: '17179869185GiB' is too large (at most 1024GiB)",
                "watchdog.canary.interval: '106751991167d' is too long (at most 3650d)")
                .doesNotContain("Exception");

        Path capacity = write("capacity.yaml", valid(1).replace("{type: console}",
                "{type: console, delivery: {queue-capacity: 2000000000}}"));
        RelayProcess legacy = RelayProcess.start(dir.resolve("capacity"), Map.of(), "--config", capacity.toString(),
                "--check-config");
        assertThat(legacy.awaitExit(EXIT)).as("the older --check-config flag").isEqualTo(2);
        assertThat(legacy.stderr()).contains("sinks.console.delivery.queue-capacity: '2000000000' is out of range "
                + "(1 to 1000000)").doesNotContain("OutOfMemoryError");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedAsSuchQuickly() throws Exception {
        Path big = dir.resolve("big.yaml");
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write((valid(1) + "x: \"").getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "y".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
            out.write("\"\n".getBytes(StandardCharsets.UTF_8));
        }
        RelayProcess relay = RelayProcess.start(dir.resolve("big"), Map.of(), "check-config", big.toString());
        assertThat(relay.awaitExit(EXIT)).isEqualTo(2);
        assertThat(relay.stderr()).contains("the limit is 1 MiB").doesNotContain("not valid YAML");
    }

    @Test
    void theOldEnvSyntaxIsRefusedNamingTheKey() throws Exception {
        RelayProcess relay = RelayProcess.start(dir.resolve("env"), Map.of("SMTP_PASSWORD", "hunter2-SECRET"),
                "check-config", write("env.yaml", valid(1).replace("sinks: {console: {type: console}}", """
                        sinks:
                          mail: {type: email, host: smtp.example.com, username: relay, password: "${ENV:SMTP_PASSWORD}",
                                 from: relay@example.com, to: [oncall@example.com]}
                        """)).toString());
        assertThat(relay.awaitExit(EXIT)).isEqualTo(2);
        assertThat(relay.stderr()).contains(
                "sinks.mail.password: ${ENV:SMTP_PASSWORD} is not supported; write ${SMTP_PASSWORD}")
                .doesNotContain("hunter2");
    }

    @Test
    @RequiresRedisServer
    void connectPingsRedisAndFailsWithOneWhenItDoesNotAnswer() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone()) {
            RelayProcess up = RelayProcess.start(dir.resolve("up"), Map.of(), "check-config",
                    write("up.yaml", valid(redis.port())).toString(), "--connect");
            assertThat(up.awaitExit(EXIT)).as(up.stderr()).isZero();
            assertThat(up.stdout()).contains("ok      redis redis://127.0.0.1:" + redis.port() + "/0: PONG",
                    "-       sink console (console): not checked");
        }
        RelayProcess down = RelayProcess.start(dir.resolve("down"), Map.of(), "check-config",
                write("down.yaml", valid(1)).toString(), "--connect");
        assertThat(down.awaitExit(EXIT)).isEqualTo(1);
        assertThat(down.stdout()).contains("FAILED  redis redis://127.0.0.1:1/0");
    }

    @Test
    void sendTestDeliversOneMarkedNotificationThroughTheNamedSink() throws Exception {
        try (SlackWebhook slack = new SlackWebhook()) {
            Path file = write("slack.yaml", valid(1).replace("sinks: {console: {type: console}}", """
                    sinks:
                      console: {type: console}
                      ops-slack: {type: slack, webhook-url: "${SLACK_WEBHOOK_URL}"}
                    """));
            RelayProcess relay = RelayProcess.start(dir.resolve("send"), Map.of("SLACK_WEBHOOK_URL", slack.url()),
                    "send-test", "ops-slack", "--config", file.toString());
            assertThat(relay.awaitExit(EXIT)).as(relay.stderr()).isZero();
            assertThat(slack.next(Duration.ofSeconds(10)).path("text").asText())
                    .contains("[TEST] Alert Relay test notification");
            assertThat(slack.drain(Duration.ofMillis(500))).as("exactly one notification").isZero();
            assertThat(relay.stdout()).contains("Test notification delivered through sinks.ops-slack (slack)");
            assertThat(relay.stderr() + relay.stdout()).doesNotContain("SECRETTOKEN");

            RelayProcess unknown = RelayProcess.start(dir.resolve("unknown"), Map.of("SLACK_WEBHOOK_URL", slack.url()),
                    "send-test", "pagerduty", "--config", file.toString());
            assertThat(unknown.awaitExit(EXIT)).isEqualTo(2);
            assertThat(unknown.stderr()).contains("no sink 'pagerduty'", "configured: [console, ops-slack]");
        }
    }

    @Test
    void everyCommandHasHelp() throws Exception {
        for (String command : new String[] {"check-config", "send-test", "status", "blind-windows", "dead-letters"}) {
            RelayProcess relay = RelayProcess.start(dir.resolve("help-" + command), Map.of(), command, "--help");
            assertThat(relay.awaitExit(EXIT)).as(command).isZero();
            assertThat(relay.stdout() + relay.stderr()).as(command).contains("Usage:", command);
        }
    }
}
