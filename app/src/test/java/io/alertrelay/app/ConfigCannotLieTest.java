package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's misleading behaviours of the config path, one test each (each failed on the code before): limits the
 * start would trip over, parser overflows, a sink without a type, YAML anchors, file size, live sinks in a config.
 */
final class ConfigCannotLieTest {
    private static final Map<String, SinkFactory> FACTORIES =
            SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
    private static final String BASE = """
            redis: {url: "redis://127.0.0.1:6390"}
            subscriptions: [{pattern: "alerts:*"}]
            """;

    private static RelayConfig parse(String yaml) {
        return RelayConfig.parse(ConfigLoader.parse("test", yaml, name -> null), FACTORIES, Clock.systemUTC());
    }

    private static List<String> problems(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void limitsTheStartWouldTripOverAreKeyedProblems() {
        assertThat(problems(BASE + """
                shutdown: {timeout: 110000d}
                events: {max-size: 17179869185GiB}
                watchdog: {canary: {interval: 106751991167d}}
                sinks: {console: {type: console, delivery: {queue-capacity: 2000000000, max-age: 999999999999999d}}}
                """)).containsExactlyInAnyOrder(
                "shutdown.timeout: '110000d' is too long (at most 3650d)",
                "events.max-size: '17179869185GiB' is too large (at most 1024GiB)",
                "watchdog.canary.interval: '106751991167d' is too long (at most 3650d)",
                "sinks.console.delivery.queue-capacity: '2000000000' is out of range (1 to 1000000)",
                "sinks.console.delivery.max-age: '999999999999999d' is too long (at most 3650d)");
    }

    @Test
    void eachKeyHasItsOwnRange() {
        assertThat(problems(BASE + """
                shutdown: {timeout: 2h}
                events: {max-size: 65MiB, ingest-queue: 10}
                sinks: {console: {type: console, delivery: {max-age: 400d}}}
                """)).containsExactlyInAnyOrder(
                "shutdown.timeout: '2h' is out of range (0 to 1h)",
                "events.max-size: '65MiB' is out of range (1KiB to 64MiB)",
                "events.ingest-queue: '10' is out of range (1000 to 1000000)",
                "sinks.console.delivery.max-age: must be at most 365d");
    }

    @Test
    void anIpv6SentinelWithoutBracketsIsAKeyedProblem() {
        assertThat(problems("""
                redis: {sentinel: {master: m, nodes: ["::1"]}}
                subscriptions: [{pattern: "alerts:*"}]
                sinks: {console: {type: console}}
                """)).containsExactly(
                "redis.sentinel.nodes[0]: '::1' is not host:port (write an IPv6 address in brackets: [::1]:6379)");
    }

    @Test
    void aSinkWithoutTypeReportsOnlyThat() {
        assertThat(problems(BASE + """
                sinks:
                  ops: {webhook-url: "https://hooks.example/X", timeout: 5s, delivery: {max-age: 1h}}
                """)).containsExactly("sinks.ops.type: is required; available: " + FACTORIES.keySet());
    }

    @Test
    void yamlAnchorsAndAliasesWorkAsYamlDefinesThem() {
        RelayConfig config = parse(BASE + """
                sinks:
                  c1: &defaults {type: console, show-labels: false, delivery: {max-age: 2h}}
                  c2: *defaults
                  c3:
                    <<: *defaults
                    show-labels: true
                """);
        assertThat(config.sinks()).extracting(SinkSpec::id).containsExactly("c1", "c2", "c3");
        assertThat(config.sinks()).allSatisfy(sink -> assertThat(sink.policy().maxAge()).hasHours(2));
    }

    @Test
    void aliasExpansionIsBounded() {
        StringBuilder yaml = new StringBuilder(BASE + "sinks: {console: {type: console}}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (int i = 1; i < 9; i++) {
            yaml.append("x").append(i).append(": &x").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*x").append(i - 1);
            }
            yaml.append("]\n");
        }
        assertThatThrownBy(() -> parse(yaml.toString())).isInstanceOf(ConfigurationException.class)
                .hasMessage("Invalid configuration: test: more than 100000 values once YAML aliases are expanded; "
                        + "the limit keeps a small file from becoming a huge one");
    }

    @Test
    void aFileOverOneMebibyteIsRefusedForItsSizeBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path fourMiB = dir.resolve("four.yaml");
        Files.writeString(fourMiB, BASE + "sinks: {console: {type: console, show-labels: \"" + "x".repeat(4 << 20) + "\"}}\n");
        assertThatThrownBy(() -> ConfigLoader.load(fourMiB, name -> null)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the limit is 1 MiB (1048576 bytes)")
                .hasMessageNotContaining("not valid YAML");
        Path fiftyMB = dir.resolve("fifty.yaml");
        try (var out = Files.newOutputStream(fiftyMB)) {
            out.write((BASE + "sinks: {console: {type: console, show-labels: \"").getBytes());
            byte[] chunk = "y".repeat(1 << 20).getBytes();
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
            out.write("\"}}\n".getBytes());
        }
        assertThatThrownBy(() -> ConfigLoader.load(fiftyMB, name -> null))
                .hasMessageContaining("the limit is 1 MiB");
        assertThatThrownBy(() -> ConfigLoader.parse("text", "a: \"" + "z".repeat((1 << 20) + 1) + "\"", name -> null))
                .hasMessageContaining("more than 1 MiB");
    }

    @Test
    void parsingCreatesNoSinkCreateSinksDoes() {
        AtomicInteger created = new AtomicInteger();
        AtomicInteger validated = new AtomicInteger();
        SinkFactory counting = new SinkFactory() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public Sink create(ConfigView config, SinkContext context) {
                created.incrementAndGet();
                return alert -> DeliveryResult.delivered();
            }

            @Override
            public void validate(ConfigView config, SinkContext context) {
                validated.incrementAndGet();
            }
        };
        Map<String, SinkFactory> factories = new TreeMap<>(FACTORIES);
        factories.put("counting", counting);
        RelayConfig config = RelayConfig.parse(ConfigLoader.parse("test", BASE + "sinks: {c: {type: counting}}",
                name -> null), factories, Clock.systemUTC());
        assertThat(created).hasValue(0);
        assertThat(validated).hasValue(1);
        List<SinkInstance> sinks = config.createSinks(Clock.systemUTC());
        assertThat(created).hasValue(1);
        assertThat(sinks).extracting(SinkInstance::id).containsExactly("c");
    }

    @Test
    void theEffectiveConfigurationListsEveryKeyWithValuesOrDefaultsAndMasksSecrets() {
        RelayConfig config = RelayConfig.parse(ConfigLoader.parse("test.yaml", BASE + """
                sinks:
                  ops-slack: {type: slack, webhook-url: "${SLACK_WEBHOOK_URL}", timeout: 7s}
                http: {token: "0123456789abcdef-TOKEN"}
                """, Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.invalid/services/T0/B0/SECRETPART")::get),
                FACTORIES, Clock.systemUTC());
        String described = config.describe();
        assertThat(described)
                .startsWith("Effective configuration (test.yaml, sha256 " + config.hash() + "):")
                .contains("  sinks.ops-slack.webhook-url = ****",
                        "  sinks.ops-slack.timeout = 7s",
                        "  sinks.ops-slack.connect-timeout = 5s (default)",
                        "  shutdown.timeout = 10s (default)",
                        "  events.max-size = 262144 (default)",
                        "  redis.url = ****",
                        "  http.token = ****",
                        "  watchdog.canary.interval = 10s (default)")
                .doesNotContain("SECRETPART", "TOKEN");
    }
}
