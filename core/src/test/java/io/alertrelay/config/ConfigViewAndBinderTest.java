package io.alertrelay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(binder.required("timeout", Parsers::duration).get()).isEqualTo(Duration.ofSeconds(5));
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
        binder.requiredSecret("webhook-url", Parsers::httpUrl);
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

    // --- issue 10: config that cannot lie ---

    @Test
    void anOverflowingDurationIsAKeyedProblemNotAnArithmeticException() {
        ConfigBinder binder = new ConfigBinder(TreeConfigView.root(Map.of(
                "a", "999999999999999d", "b", "106751991167d", "c", "99999999999999999999999ms")));
        binder.optional("a", Parsers::duration);
        binder.optional("b", Parsers::duration);
        binder.optional("c", Parsers::duration);
        assertThat(binder.problems()).containsExactly(
                "a: '999999999999999d' is too long (at most 3650d)",
                "b: '106751991167d' is too long (at most 3650d)",
                "c: '99999999999999999999999ms' is too long (at most 3650d)");
    }

    @Test
    void aHugeNumberUnderASensitiveKeyIsNeverQuoted() {
        ConfigBinder binder = new ConfigBinder(TreeConfigView.root(Map.of(
                "secret-port", "98765432109876543210", "plain", "98765432109876543210")));
        binder.secret("secret-port", Parsers::positiveInt);
        binder.optional("plain", Parsers::integer);
        assertThat(binder.problems()).containsExactly(
                "secret-port: value is out of range (at most 2147483647) (value not shown: sensitive)",
                "plain: '98765432109876543210' is out of range (at most 2147483647)");
    }

    @Test
    void aParserThatThrowsALibraryExceptionNeverLeaksItsMessage() {
        ConfigBinder binder = new ConfigBinder(TreeConfigView.root(Map.of("token", "xoxb-12345")));
        binder.secret("token", value -> Long.parseLong(value));
        binder.secret("token", value -> { throw new ArithmeticException("overflow of " + value); });
        assertThat(binder.problems()).containsExactly(
                "token: value is invalid (value not shown: sensitive)",
                "token: value is invalid (value not shown: sensitive)");
    }

    @Test
    void anOverflowingDataSizeIsAProblemNotANegativeSize() {
        assertThatThrownBy(() -> Parsers.dataSize("9999999999GiB")).hasMessage("is too large (at most 1024GiB)");
        assertThatThrownBy(() -> Parsers.dataSize("17179869185GiB")).hasMessage("is too large (at most 1024GiB)");
        assertThatThrownBy(() -> Parsers.dataSize("99999999999999999999999")).hasMessage("is too large (at most 1024GiB)");
        assertThat(Parsers.dataSize("1024GiB")).isEqualTo(1024L * 1024 * 1024 * 1024);
        assertThatThrownBy(() -> Parsers.dataSize(1, 64L << 20).parse("65MiB")).hasMessage("is out of range (1 to 64MiB)");
    }

    @Test
    void anIpv6AddressWithoutBracketsIsRefused() {
        assertThatThrownBy(() -> Parsers.hostAndPort("::1"))
                .hasMessage("is not host:port (write an IPv6 address in brackets: [::1]:6379)");
        assertThatThrownBy(() -> Parsers.hostAndPort("fe80::1:6379")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> Parsers.hostAndPort("[]:6379")).hasMessageContaining("empty host");
        assertThatThrownBy(() -> Parsers.hostAndPort("h:99999999999")).hasMessageContaining("1-65535");
        assertThat(Parsers.hostAndPort("[fe80::1]:6379")).isEqualTo(new Parsers.HostAndPort("fe80::1", 6379));
    }

    @Test
    void rangesAreNamedInTheMessage() {
        ConfigBinder binder = new ConfigBinder(TreeConfigView.root(Map.of("t", "2h", "n", "0")));
        binder.optional("t", Parsers.duration(Duration.ofSeconds(1), Duration.ofMinutes(10)), Duration.ofSeconds(10));
        binder.optional("n", Parsers.integer(1, 100), 5);
        assertThat(binder.problems()).containsExactly("t: '2h' is out of range (1s to 10m)", "n: '0' is out of range (1 to 100)");
    }

    @Test
    void requiredNeverReturnsNull() {
        ConfigBinder binder = new ConfigBinder(TreeConfigView.root(Map.of("bad", "x")));
        ConfigBinder.Required<String> missing = binder.required("host", Parsers::string);
        ConfigBinder.Required<Integer> invalid = binder.required("bad", Parsers::integer);
        assertThat(missing.isValid()).isFalse();
        assertThat(invalid.asOptional()).isEmpty();
        assertThatThrownBy(missing::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("host");
        assertThat(binder.problems()).containsExactly("host: is required", "bad: 'x' is not an integer");
    }

    @Test
    void aSectionThatIsAValueIsOneProblemAndReadsAsEmpty() {
        TreeConfigView root = TreeConfigView.root(Map.of("sinks", Map.of("ops", Map.of("headers", "oops"))));
        ConfigBinder top = new ConfigBinder(root);
        ConfigBinder headers = top.section("sinks").section("ops").section("headers");
        assertThat(headers.keys()).isEmpty();
        assertThat(headers.optional("x", Parsers::string)).isEmpty();
        assertThat(top.problems()).containsExactly("sinks.ops.headers: must be a section (key: value pairs)");
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void isPresentAndTheEffectiveConfigurationMasksSecrets() {
        TreeConfigView root = TreeConfigView.root(Map.of("sinks", Map.of("ops", Map.of(
                "url", "https://hooks.example/SECRET", "timeout", "5s"))));
        ConfigBinder ops = new ConfigBinder(root).section("sinks").section("ops");
        assertThat(ops.isPresent("url")).isTrue();
        assertThat(ops.isPresent("channel")).isFalse();
        ops.requiredSecret("url", Parsers::httpUrl);
        ops.optional("timeout", Parsers::duration, Duration.ofSeconds(10));
        ops.optional("connect-timeout", Parsers::duration, Duration.ofSeconds(3));
        ops.optional("channel", Parsers::string);
        assertThat(root.effectiveConfig()).containsExactly(
                Map.entry("sinks.ops.url", "****"),
                Map.entry("sinks.ops.timeout", "5s"),
                Map.entry("sinks.ops.connect-timeout", "3s (default)"),
                Map.entry("sinks.ops.channel", "(not set)"));
    }
}
