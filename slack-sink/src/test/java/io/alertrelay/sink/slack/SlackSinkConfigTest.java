package io.alertrelay.sink.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlackSinkConfigTest {
    private static final String URL = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN";

    private TreeConfigView root;

    private SlackSinkConfig bind(Map<String, Object> section) {
        root = TreeConfigView.root(Map.of("sinks", Map.of("ops-slack", section)));
        return SlackSinkConfig.from(root.section("sinks").section("ops-slack"));
    }

    private ConfigurationException invalid(Map<String, Object> section) {
        return catchThrowableOfType(ConfigurationException.class, () -> bind(section));
    }

    @Test
    void defaults() {
        SlackSinkConfig config = bind(Map.of("webhook-url", URL));

        assertThat(config).isEqualTo(new SlackSinkConfig(URI.create(URL), Duration.ofSeconds(10),
                Duration.ofSeconds(5), Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void fullMapping() {
        SlackSinkConfig config = bind(Map.of(
                "webhook-url", "http://localhost:8080/services/T1/B1/XYZ",
                "timeout", "30s",
                "connect-timeout", "500ms",
                "channel", "#ops",
                "username", "alert-relay",
                "icon-emoji", ":rotating_light:"));

        assertThat(config).isEqualTo(new SlackSinkConfig(URI.create("http://localhost:8080/services/T1/B1/XYZ"),
                Duration.ofSeconds(30), Duration.ofMillis(500), Optional.of("#ops"), Optional.of("alert-relay"),
                Optional.of(":rotating_light:")));
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void toStringRedactsTheWebhookUrl() {
        SlackSinkConfig config = bind(Map.of("webhook-url", URL));

        assertThat(config.toString())
                .contains("https://hooks.slack.com/<redacted>")
                .doesNotContain("SECRETTOKEN")
                .doesNotContain("services");
        assertThat(config.redactedWebhookUrl()).isEqualTo("https://hooks.slack.com/<redacted>");
    }

    @Test
    void missingWebhookUrl() {
        ConfigurationException e = invalid(Map.of());

        assertThat(e.problems()).containsExactly("sinks.ops-slack.webhook-url: is required");
    }

    @Test
    void badWebhookUrlNamesTheKeyButNotTheValue() {
        ConfigurationException e = invalid(Map.of("webhook-url", "ftp://hooks.slack.com/services/T000/B000/SECRETTOKEN"));

        assertThat(e.problems()).containsExactly(
                "sinks.ops-slack.webhook-url: value is not an http or https URL (value not shown: sensitive)");
        assertThat(e.getMessage()).doesNotContain("SECRETTOKEN").doesNotContain("hooks.slack.com");
    }

    @Test
    void unparsableWebhookUrlDoesNotEchoTheValue() {
        ConfigurationException e = invalid(Map.of("webhook-url", "https://hooks.slack.com/services/SECRET TOKEN"));

        assertThat(e.problems()).singleElement().asString()
                .startsWith("sinks.ops-slack.webhook-url: ")
                .doesNotContain("SECRET");
        // java.net.URI accepts this port, OkHttp does not: caught at start-up, still without the value
        assertThat(invalid(Map.of("webhook-url", "https://hooks.slack.com:99999/services/SECRETTOKEN")).problems())
                .containsExactly("sinks.ops-slack.webhook-url: value is not a valid http or https URL"
                        + " (value not shown: sensitive)");
    }

    @Test
    void badTimeoutNamesKeyAndValue() {
        ConfigurationException e = invalid(Map.of("webhook-url", URL, "timeout", "5x"));

        assertThat(e.problems()).containsExactly(
                "sinks.ops-slack.timeout: '5x' is not a duration (e.g. 500ms, 10s, 2m)");
    }

    @Test
    void timeoutBounds() {
        assertThat(invalid(Map.of("webhook-url", URL, "timeout", "0")).problems())
                .containsExactly("sinks.ops-slack.timeout: must be greater than 0");
        assertThat(invalid(Map.of("webhook-url", URL, "timeout", "2m")).problems())
                .containsExactly("sinks.ops-slack.timeout: must be at most 1m");
        assertThat(invalid(Map.of("webhook-url", URL, "timeout", "2s", "connect-timeout", "3s")).problems())
                .containsExactly("sinks.ops-slack.connect-timeout: must be at most timeout (2s)");
        assertThat(invalid(Map.of("webhook-url", URL, "connect-timeout", "0")).problems())
                .containsExactly("sinks.ops-slack.connect-timeout: must be greater than 0");
    }

    @Test
    void badOverrides() {
        ConfigurationException e = invalid(Map.of("webhook-url", URL, "channel", " ", "icon-emoji", "siren"));

        assertThat(e.problems()).containsExactly(
                "sinks.ops-slack.channel: ' ' must not be blank",
                "sinks.ops-slack.icon-emoji: 'siren' is not an emoji name like :rotating_light:");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("timeout", "5x");
        section.put("connect-timeout", "soon");
        section.put("icon-emoji", "siren");
        ConfigurationException e = invalid(section);

        assertThat(e.problems()).containsExactly(
                "sinks.ops-slack.webhook-url: is required",
                "sinks.ops-slack.timeout: '5x' is not a duration (e.g. 500ms, 10s, 2m)",
                "sinks.ops-slack.connect-timeout: 'soon' is not a duration (e.g. 500ms, 10s, 2m)",
                "sinks.ops-slack.icon-emoji: 'siren' is not an emoji name like :rotating_light:");
        assertThat(e.getMessage()).startsWith("Invalid configuration (4 problems):");
    }

    @Test
    void theWebApiTransportWithTheIssuesShape() {
        SlackSinkConfig config = bind(Map.of("token", "xoxb-1-SECRET", "channel", "#oncall",
                "mention", Map.of("critical", "<!subteam^S123>", "error", "<!here>")));
        assertThat(config.webApi()).isTrue();
        assertThat(config.webhookUrl()).isNull();
        assertThat(config.apiUrl()).isEqualTo(URI.create("https://slack.com/api/"));
        assertThat(config.channel()).contains("#oncall");
        assertThat(config.mentions()).containsEntry(io.alertrelay.spi.Severity.CRITICAL, "<!subteam^S123>")
                .containsEntry(io.alertrelay.spi.Severity.ERROR, "<!here>").hasSize(2);
        assertThat(config.toString()).doesNotContain("SECRET");
        assertThat(root.unusedKeys()).isEmpty();

        assertThat(bind(Map.of("token", "t", "channel", "C1", "mention", "<!here>")).mentions()).hasSize(4);
    }

    @Test
    void oneTransportAndAChannelForTheToken() {
        assertThat(invalid(Map.of("token", "xoxb-1-SECRET")).problems()).containsExactly(
                "sinks.ops-slack.channel: is required with token (a channel id such as C0123456789, or #name)");
        ConfigurationException both = invalid(Map.of("token", "xoxb-1-SECRET", "channel", "C1", "webhook-url", URL));
        assertThat(both.problems()).singleElement().asString().startsWith("sinks.ops-slack.webhook-url: set both");
        assertThat(both.getMessage()).doesNotContain("SECRET");
        assertThat(invalid(Map.of("token", "t", "channel", "C1", "mention", Map.of("urgent", "x"))).problems())
                .containsExactly("sinks.ops-slack.mention.urgent: is not a severity; use [critical, error, warning, "
                        + "info]");
    }
}
