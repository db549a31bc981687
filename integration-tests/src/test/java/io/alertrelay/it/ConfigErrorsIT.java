package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.testing.SinkTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar refuses a bad config at start-up, naming every problem, and never echoes a secret. */
final class ConfigErrorsIT {
    @TempDir
    Path dir;

    private RelayProcess check(String yaml, Map<String, String> environment) throws Exception {
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        return RelayProcess.start(dir, environment, "--config", config.toString());
    }

    @Test
    void unknownSinkTypeAndMisspeltKeyFailAtStartupNamingThem() throws Exception {
        RelayProcess relay = check("""
                redis:
                  url: redis://127.0.0.1:1
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  ops-slack:
                    type: slak
                    webhook-url: https://hooks.slack.invalid/services/T0/B0/SECRETTOKEN
                  ops-console:
                    type: console
                    show-lables: false
                routes:
                  - sinks: [ops-slack, ops-console]
                """, Map.of());
        assertThat(relay.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
        String stderr = relay.stderr();
        assertThat(stderr)
                .contains("sinks.ops-slack.type: 'slak' is not a registered sink type; available: " + SinkTypes.onClassPath())
                .contains("sinks.ops-console.show-lables: not used (did you mean sinks.ops-console.show-labels?)")
                .doesNotContain("SECRETTOKEN");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        RelayProcess relay = check("""
                redis:
                  url: redis://127.0.0.1:1
                  sentinel:
                    master: mymaster
                    nodes: ["127.0.0.1:26379"]
                sinks:
                  ops-slack:
                    type: slack
                    webhook-url: ${SLACK_WEBHOOK_URL}
                routes:
                  - sinks: [ops-slak]
                """, Map.of());
        assertThat(relay.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
        assertThat(relay.stderr())
                .contains("sinks.ops-slack.webhook-url: environment variable SLACK_WEBHOOK_URL is not set")
                .contains("subscriptions: at least one channel or pattern is required")
                .contains("routes[0].sinks: 'ops-slak' is not a sink defined under sinks")
                .contains("redis");
    }

    @Test
    void theStartupLogListsEverySinkTypeFoundInTheJar() throws Exception {
        RelayProcess relay = RelayProcess.start(dir, Map.of(), "--config", writeValid().toString(), "--check-config");
        assertThat(relay.awaitExit(Duration.ofSeconds(60))).isEqualTo(0);
        // a lost META-INF/services file in the shaded jar would drop a type from this list; the expected list is what
        // ServiceLoader finds on this module's class path (app's unshaded dependencies), so a new sink needs no edit
        assertThat(SinkTypes.onClassPath()).contains("console", "email", "slack");
        assertThat(relay.stderr()).contains("Sink types available: " + SinkTypes.onClassPath())
                .contains("Configuration is valid");
    }

    private Path writeValid() throws Exception {
        Path config = dir.resolve("valid.yaml");
        Files.writeString(config, """
                redis:
                  url: redis://127.0.0.1:1
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  console:
                    type: console
                """, StandardCharsets.UTF_8);
        return config;
    }
}
