package io.alertrelay.sink.webhook;

import static io.alertrelay.sink.webhook.TestConfigs.section;
import static io.alertrelay.sink.webhook.TestConfigs.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class WebhookSinkConfigTest {
    private static final String URL = "https://hooks.example.com/alerts/PATHTOKEN?key=QUERYTOKEN";

    private static List<String> problems(Map<String, Object> section) {
        try {
            WebhookSinkConfig.from(view(section));
        } catch (ConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void defaults() {
        WebhookSinkConfig config = WebhookSinkConfig.from(view(section("url", URL)));

        assertThat(config).isEqualTo(new WebhookSinkConfig(URI.create(URL), Map.of(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(5)));
    }

    @Test
    void everyKeyIsMappedAndNoneIsLeftUnused() {
        TreeConfigView root = TestConfigs.root(section(
                "url", URL,
                "headers", section("Authorization", "Bearer TOKEN1234", "X-Team", "storage"),
                "signing-secret", "0123456789abcdef",
                "template", "{\"text\": \"{{title}}\"}",
                "timeout", "3s",
                "connect-timeout", "500ms"));

        WebhookSinkConfig config = WebhookSinkConfig.from(view(root));

        assertThat(config.headers()).containsExactly(Map.entry("Authorization", "Bearer TOKEN1234"),
                Map.entry("X-Team", "storage"));
        assertThat(config.signingSecret()).contains("0123456789abcdef");
        assertThat(config.template()).contains("{\"text\": \"{{title}}\"}");
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void aShortTimeoutAlsoBoundsTheDefaultConnectTimeout() {
        assertThat(WebhookSinkConfig.from(view(section("url", URL, "timeout", "2s"))).connectTimeout())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void toStringMasksUrlHeaderValuesAndSecret() {
        WebhookSinkConfig config = WebhookSinkConfig.from(view(section("url", URL,
                "headers", section("Authorization", "Bearer TOKEN1234"), "signing-secret", "0123456789abcdef")));

        assertThat(config.toString())
                .isEqualTo("WebhookSinkConfig[url=https://hooks.example.com/<redacted>, headers=[Authorization=****],"
                        + " signingSecret=****, template=<default>, timeout=10s, connectTimeout=5s]");
    }

    @Test
    void everyProblemAtOnceUnderItsFullKeyWithoutQuotingSecrets() {
        List<String> problems = problems(section(
                "url", "ftp://hooks.example.com/SECRETPATH",
                "headers", section("Bad Name", "x", "Content-Type", "text/plain", "X-Token", "SECRET\nVALUE",
                        "x-other", "ok", "X-OTHER", "again"),
                "signing-secret", "SHORTSECRET",
                "template", "{\"text\": {{title}}}",
                "timeout", "2m",
                "connect-timeout", "0"));

        assertThat(problems).containsExactly(
                "sinks.ops-hook.url: value is not an http or https URL (value not shown: sensitive)",
                "sinks.ops-hook.headers.Bad Name: is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                "sinks.ops-hook.headers.Content-Type: is set by the sink itself and cannot be configured",
                "sinks.ops-hook.headers.X-Token: value must be printable ASCII (no line breaks or control characters)"
                        + " (value not shown: sensitive)",
                "sinks.ops-hook.headers.X-OTHER: repeats header x-other (header names are case-insensitive)",
                "sinks.ops-hook.signing-secret: must be 16 to 1024 characters long (value not shown: sensitive)",
                "sinks.ops-hook.template: '{\"text\": {{title}}}' is not valid JSON at line 1, column 11 (placeholders go"
                        + " inside strings: \"{{title}}\")",
                "sinks.ops-hook.timeout: must be more than 0 and at most 1m",
                "sinks.ops-hook.connect-timeout: must be more than 0 and at most timeout (2m)");
        assertThat(String.join("\n", problems)).doesNotContain("SECRET");
    }

    @Test
    void urlIsRequiredAndMayNotCarryCredentials() {
        assertThat(problems(section())).containsExactly("sinks.ops-hook.url: is required");
        assertThat(problems(section("url", "https://user:SECRETPASS@hooks.example.com/x"))).containsExactly(
                "sinks.ops-hook.url: must not contain user:password@ (put credentials in headers; value not shown:"
                        + " sensitive)");
    }

    @Test
    void headersMustBeASectionOfValues() {
        assertThat(problems(section("url", URL, "headers", List.of("Authorization: x"))))
                .containsExactly("sinks.ops-hook.headers: must be a section (key: value pairs)");
        assertThat(problems(section("url", URL, "headers", section("X-A", List.of("a", "b")))))
                .containsExactly("sinks.ops-hook.headers.X-A: must be a single value, not a list");
    }

    @Test
    void templateProblemsAreNamed() {
        assertThat(problems(section("url", URL, "template", "[\"{{title}}\"]")))
                .containsExactly("sinks.ops-hook.template: '[\"{{title}}\"]' must be a JSON object ({...})");
        assertThat(problems(section("url", URL, "template", "{\"a\": \"{{titel}}\"}"))).singleElement()
                .asString().contains("has an unknown placeholder {{titel}}; known: id, title, status");
        assertThat(problems(section("url", URL, "template", "{\"a\": \"x {{labels}}\"}"))).singleElement()
                .asString().contains("uses {{labels}} inside a longer string");
        assertThat(problems(section("url", URL, "template", "{\"{{title}}\": 1}"))).singleElement()
                .asString().contains("has a placeholder in a field name");
        assertThat(problems(section("url", URL, "template", "{\"a\": 1, \"a\": 2}"))).singleElement()
                .asString().contains("is not valid JSON");
        assertThat(problems(section("url", URL, "template", "{\"a\": 1} {}"))).singleElement()
                .asString().contains("is not valid JSON");
        assertThat(problems(section("url", URL, "template", "{\"a\": \"" + "x".repeat(16 * 1024) + "\"}")))
                .singleElement().asString().endsWith("is longer than 16KiB");
    }
}
