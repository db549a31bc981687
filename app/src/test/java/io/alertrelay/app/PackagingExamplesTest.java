package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.SinkFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example configurations under packaging/ (standalone, Sentinel, Slack + email, the container's default) parse
 * through the relay's own config parser with their placeholders set, and {@code logging.format} is checked.
 */
final class PackagingExamplesTest {
    private static final Map<String, SinkFactory> FACTORIES =
            SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
    private static final Path PACKAGING = Path.of("..", "packaging");
    /** What the examples' required placeholders (those without a default) need. */
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
            "SMTP_PASSWORD", "not-a-real-password");

    private static RelayConfig load(Path file) {
        return RelayConfig.parse(ConfigLoader.load(file, ENVIRONMENT::get), FACTORIES, Clock.systemUTC());
    }

    @Test
    void everyExampleUnderPackagingParses() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Stream.concat(Files.list(PACKAGING.resolve("examples")),
                Stream.of(PACKAGING.resolve("docker").resolve("relay.yaml")))) {
            examples = files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).extracting(file -> file.getFileName().toString())
                .contains("standalone.yaml", "sentinel.yaml", "slack-email.yaml", "relay.yaml");
        for (Path example : examples) {
            RelayConfig config = load(example);
            assertThat(config.sinks()).as("%s has sinks", example).isNotEmpty();
        }
    }

    @Test
    void theSlackAndEmailExampleSendsHealthToEmailAndLogsJson() {
        RelayConfig config = load(PACKAGING.resolve("examples").resolve("slack-email.yaml"));
        assertThat(config.sinks()).extracting(SinkSpec::type).containsExactlyInAnyOrder("slack", "email");
        assertThat(config.watchdog().healthRoute()).containsExactly("ops-mail");
        assertThat(LoggingConfig.from(ConfigLoader.load(PACKAGING.resolve("examples").resolve("slack-email.yaml"),
                ENVIRONMENT::get).root()).format()).isEqualTo(LoggingConfig.Format.JSON);
    }

    @Test
    void theSentinelExampleBindsBeyondLoopbackAndLeavesTheTokenToTheEnvironment() {
        RelayConfig config = load(PACKAGING.resolve("examples").resolve("sentinel.yaml"));
        assertThat(config.watchdog().http().bind()).isEqualTo("0.0.0.0");
        assertThat(config.watchdog().http().token()).isEmpty();
        RelayConfig withToken = RelayConfig.parse(ConfigLoader.load(PACKAGING.resolve("examples")
                .resolve("sentinel.yaml"), Map.of("RELAY_HTTP_TOKEN", "0123456789abcdef0123")::get), FACTORIES,
                Clock.systemUTC());
        assertThat(withToken.watchdog().http().token()).contains("0123456789abcdef0123");
        assertThat(withToken.watchdog().http().toString()).doesNotContain("0123456789abcdef0123");
    }

    @Test
    void anUnknownLoggingFormatIsAKeyedProblemWithTheOthers() {
        try {
            RelayConfig.parse(ConfigLoader.parse("test", """
                    subscriptions: [{pattern: "alerts:*"}]
                    sinks: {console: {type: console}}
                    logging: {format: xml}
                    http: {token: short}
                    """, name -> null), FACTORIES, Clock.systemUTC());
            throw new AssertionError("expected the config to be refused");
        } catch (ConfigurationException e) {
            assertThat(e.problems()).anyMatch(problem -> problem.startsWith("logging.format: must be text or json"))
                    .anyMatch(problem -> problem.startsWith("http.token: must be at least 16 characters"))
                    .noneMatch(problem -> problem.contains("short"));
        }
    }

    @Test
    void jsonSwitchesTheStderrAppenderToLogbacksJsonEncoder() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<ILoggingEvent> appender = null;
        for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream) {
                appender = stream;
            }
        }
        assertThat(appender).as("a console appender (logback-test.xml or logback.xml)").isNotNull();
        Encoder<ILoggingEvent> before = appender.getEncoder();
        try {
            new LoggingConfig(LoggingConfig.Format.JSON).apply();
            assertThat(appender.getEncoder()).isInstanceOf(JsonEncoder.class);
            assertThat(appender.isStarted()).isTrue();
            String line = new String(appender.getEncoder().encode(new ch.qos.logback.classic.spi.LoggingEvent(
                    Logger.class.getName(), root, ch.qos.logback.classic.Level.WARN, "sink {} is FAILED", null,
                    new Object[] {"ops-slack"})), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(line).startsWith("{").contains("\"level\":\"WARN\"")
                    .contains("\"formattedMessage\":\"sink ops-slack is FAILED\"").doesNotContain("sink {}");
        } finally {
            appender.stop();
            appender.setEncoder(before);
            appender.start();
        }
    }
}
