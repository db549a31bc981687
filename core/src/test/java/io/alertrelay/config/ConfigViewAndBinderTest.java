package io.alertrelay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.ConfigBinder.Sensitivity;
import io.alertrelay.spi.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ConfigViewAndBinderTest {
    @Test
    void readsTypedValuesUnderFullKeys() {
        TreeConfigView root = TreeConfigView.root(Map.of("sinks", Map.of("ops", Map.of(
                "timeout", "5s", "size", "1MiB", "flag", true, "to", List.of("a", "b")))));
        ConfigBinder binder = new ConfigBinder(root.section("sinks").section("ops"));
        assertThat(binder.required("timeout", Parsers::duration)).isEqualTo(Duration.ofSeconds(5));
        assertThat(binder.optional("size", Parsers::dataSize, 0L)).isEqualTo(1024 * 1024);
        assertThat(binder.optional("flag", Parsers::bool, false)).isTrue();
        assertThat(binder.list("to", Parsers::string)).containsExactly("a", "b");
        assertThat(binder.optional("absent", Parsers::duration, Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(2));
        binder.throwIfInvalid();
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnceWithItsFullKey() {
        TreeConfigView root = TreeConfigView.root(Map.of("sinks", Map.of("ops", Map.of("timeout", "5x", "port", "abc"))));
        ConfigBinder binder = new ConfigBinder(root.section("sinks").section("ops"));
        binder.optional("timeout", Parsers::duration);
        binder.optional("port", Parsers::positiveInt);
        binder.required("host", Parsers::string);
        assertThatThrownBy(binder::throwIfInvalid)
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "sinks.ops.timeout: '5x' is not a duration (e.g. 500ms, 10s, 2m)",
                        "sinks.ops.port: 'abc' is not an integer",
                        "sinks.ops.host: is required"))
                .hasMessageContaining("3 problems");
    }

    @Test
    void neverShowsASensitiveValue() {
        TreeConfigView root = TreeConfigView.root(Map.of("webhook-url", "ftp://hooks/SECRET-TOKEN"));
        ConfigBinder binder = new ConfigBinder(root);
        binder.required("webhook-url", Parsers::httpUrl, Sensitivity.SENSITIVE);
        assertThat(binder.problems()).singleElement().asString()
                .startsWith("webhook-url: value is not an http or https URL")
                .doesNotContain("SECRET-TOKEN");
    }

    @Test
    void reportsUnusedKeysWithASuggestion() {
        TreeConfigView root = TreeConfigView.root(Map.of("sinks", Map.of("ops", Map.of(
                "type", "slack", "webhok-url", "x")), "redis", Map.of("url", "redis://h:1"), "extra", 1));
        TreeConfigView ops = root.section("sinks").section("ops");
        ops.get("type");
        ops.get("webhook-url");
        root.section("redis").get("url");
        assertThat(root.unusedKeys()).containsExactlyInAnyOrder(
                "sinks.ops.webhok-url: not used (did you mean sinks.ops.webhook-url?)",
                "extra: not used (unknown key)");
    }

    @Test
    void refusesAListOrSectionWhereAValueBelongs() {
        TreeConfigView root = TreeConfigView.root(Map.of("a", List.of("x"), "b", Map.of("c", "d")));
        assertThatThrownBy(() -> root.get("a")).hasMessage("Invalid configuration: a: must be a single value, not a list");
        assertThatThrownBy(() -> root.get("b")).hasMessageContaining("b: must be a single value, not a section");
    }

    @Test
    void parsesSizesDurationsAndHostPorts() {
        assertThat(Parsers.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Parsers.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Parsers.dataSize("256KiB")).isEqualTo(262_144);
        assertThat(Parsers.hostAndPort("127.0.0.1:26379")).isEqualTo(new Parsers.HostAndPort("127.0.0.1", 26379));
        assertThat(Parsers.hostAndPort("[::1]:6379").host()).isEqualTo("::1");
        assertThatThrownBy(() -> Parsers.hostAndPort("nohost")).hasMessage("is not host:port");
        assertThatThrownBy(() -> Parsers.hostAndPort("h:70000")).hasMessageContaining("1-65535");
    }
}
