package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.spi.Subscription;
import io.alertrelay.testing.SinkTypes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RelayConfigTest {
    private static final Map<String, SinkFactory> FACTORIES =
            SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
    /** As the relay prints them, e.g. {@code [console, email, slack]}: every sink module on the class path. */
    private static final String AVAILABLE = SinkTypes.onClassPath().toString();

    private static RelayConfig parse(String yaml, Map<String, String> environment) {
        return RelayConfig.parse(ConfigLoader.parse("test", yaml, environment::get), FACTORIES, Clock.systemUTC());
    }

    private static List<String> problems(String yaml) {
        try {
            parse(yaml, Map.of());
        } catch (ConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void theBuiltInLocalDefaultIsValid() {
        RelayConfig config = RelayConfig.parse(ConfigLoader.loadDefault(name -> null), FACTORIES, Clock.systemUTC());
        assertThat(config.subscriptions()).containsExactly(Subscription.pattern("alerts:*"));
        assertThat(config.sinks()).extracting(SinkSpec::type).containsExactly("console");
        assertThat(config.maxEventSize()).isEqualTo(256 * 1024);
    }

    @Test
    void issue11sStreamSubscriptionShapeIsValidAloneOrBesidePubSub() {
        RelayConfig config = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions:
                  - pattern: "alerts:*"
                  - stream: "alerts:stream"        # consumer group
                    group: alert-relay
                    field: event                   # the entry field holding the JSON event (default)
                sinks: {ops: {type: console}}
                """, Map.of());
        assertThat(config.subscriptions()).containsExactly(io.alertrelay.spi.Subscription.pattern("alerts:*"));
        assertThat(config.streamSubscriptions()).containsExactly(
                io.alertrelay.source.redis.StreamSubscription.of("alerts:stream"));
        RelayConfig streamOnly = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{stream: "alerts:stream", start: "0", claim-idle: 3s}]
                sinks: {ops: {type: console}}
                """, Map.of());
        assertThat(streamOnly.subscriptions()).isEmpty();
        assertThat(streamOnly.streamSubscriptions().get(0).start()).isEqualTo("0");
    }

    @Test
    void aStreamEntryWithBadKeysOrMixedWithAChannelIsReported() {
        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions:
                  - {stream: "s", channel: "c"}
                  - {stream: "s", claim-idle: 0s, feild: x}
                sinks: {ops: {type: console}}
                """)).contains("subscriptions[0]: needs exactly one of pattern, channel or stream",
                        "subscriptions[1].claim-idle: must be between 1s and 1d")
                .anySatisfy(problem -> assertThat(problem).startsWith("subscriptions[1].feild: not used"));
    }

    @Test
    void theIssueExampleWithSentinelAndSlackIsValid() {
        RelayConfig config = parse("""
                redis:
                  sentinel:
                    master: mymaster
                    nodes: ["127.0.0.1:26379", "127.0.0.1:26380", "127.0.0.1:26381"]
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  ops-slack:
                    type: slack
                    webhook-url: ${SLACK_WEBHOOK_URL}
                routes:
                  - sinks: [ops-slack]
                """, Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.invalid/services/T0/B0/X"));
        assertThat(config.sinks()).extracting(SinkSpec::id).containsExactly("ops-slack");
        assertThat(config.routes()).singleElement().satisfies(route -> assertThat(route.sinks()).containsExactly("ops-slack"));
    }

    @Test
    void readsRoutesMatchersDeliveryPolicyAndLimits() {
        RelayConfig config = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}, {channel: "ops"}]
                events: {max-size: 64KiB}
                shutdown: {timeout: 3s}
                sinks:
                  a: {type: console, delivery: {queue-capacity: 5, max-attempts: 2, initial-backoff: 100ms, max-backoff: 1s}}
                  b: {type: console}
                routes:
                  - sinks: [a]
                    match: {channel: "alerts:prod*", severity: [critical, error], labels: {team: storage}}
                  - sinks: [b]
                """, Map.of());
        assertThat(config.subscriptions()).containsExactly(Subscription.pattern("alerts:*"), Subscription.channel("ops"));
        assertThat(config.maxEventSize()).isEqualTo(64 * 1024);
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.sinks().get(0).policy().queueCapacity()).isEqualTo(5);
        assertThat(config.sinks().get(0).policy().initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.sinks().get(0).policy().maxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(config.warnings()).contains("sinks.a.delivery.max-attempts: deprecated and ignored: a notification "
                + "is retried until it is delivered, rejected, or older than sinks.a.delivery.max-age (default 24h); "
                + "remove max-attempts, and set max-age to bound retries");
        assertThat(config.delivery().dir()).isEqualTo(java.nio.file.Path.of("alert-relay-data"));
        assertThat(config.delivery().flushInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.delivery().degradedAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.routes().get(0).severities()).containsExactlyInAnyOrder(Severity.CRITICAL, Severity.ERROR);
        assertThat(config.routes().get(0).labels()).containsEntry("team", "storage");
        assertThat(config.routes().get(0).channels()).containsExactly("alerts:prod*");
    }

    @Test
    void readsTheDeliverySectionAndReportsItsLimits() {
        RelayConfig config = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                delivery: {dir: /var/lib/alert-relay, flush-interval: 5ms, degraded-after: 30s, claims: {enabled: false}}
                sinks: {a: {type: console, delivery: {max-age: 2h, max-backoff: 1m, max-retry-after: 10m}}}
                """, Map.of());
        assertThat(config.delivery()).isEqualTo(new RelayConfig.Delivery(java.nio.file.Path.of("/var/lib/alert-relay"),
                Duration.ofMillis(5), Duration.ofSeconds(30), new RelayConfig.Claims(false, Duration.ofSeconds(30),
                Duration.ofHours(24), "alert-relay:claim:")));
        assertThat(config.sinks().get(0).policy()).isEqualTo(new io.alertrelay.core.DeliveryPolicy(10_000,
                Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(2)));

        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                delivery: {flush-interval: 2s, degraded-after: 0s, dri: x, claims: {enabled: true, ttl: 500ms}}
                sinks: {a: {type: console, delivery: {max-age: 0s}}}
                """)).containsExactlyInAnyOrder(
                "delivery.flush-interval: must be at most 1s (it is how long a notification may wait to become durable)",
                "delivery.degraded-after: must be more than 0",
                "sinks.a.delivery.max-age: must be more than 0",
                "delivery.claims.ttl: must be at least 1s (longer than a sink call)",
                "delivery.dri: not used (unknown key)");
    }

    @Test
    void anUnknownSinkTypeListsTheAvailableOnes() {
        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks: {ops: {type: slak, webhook-url: "https://x/SECRET"}}
                """)).containsExactly(
                "sinks.ops.type: 'slak' is not a registered sink type; available: " + AVAILABLE);
    }

    @Test
    void aMisspeltKeyIsNamedWithASuggestion() {
        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptons: [{pattern: "alerts:*"}]
                sinks: {ops: {type: console}}
                """)).contains("subscriptons: not used (did you mean subscriptions?)");
    }

    @Test
    void everyProblemIsReportedTogetherAndNoSecretIsEchoed() {
        List<String> problems = problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "a:*", channel: "b"}]
                events: {max-size: huge}
                sinks:
                  ops: {type: slack, webhook-url: "ftp://hooks/SECRETTOKEN", timeout: 5x}
                  nothing: {}
                routes:
                  - sinks: [missing]
                    match: {severity: [urgent]}
                """);
        assertThat(problems).contains(
                "subscriptions[0]: needs exactly one of pattern or channel",
                "events.max-size: 'huge' is not a size (e.g. 4096, 256KiB, 1MiB)",
                "sinks.nothing.type: is required; available: " + AVAILABLE,
                "routes[0].match.severity[0]: 'urgent' is not one of [critical, error, warning, info]")
                .anySatisfy(problem -> assertThat(problem).startsWith("sinks.ops.timeout: '5x'"))
                .anySatisfy(problem -> assertThat(problem).startsWith("sinks.ops.webhook-url:"))
                .anySatisfy(problem -> assertThat(problem).startsWith("routes[0].sinks: 'missing' is not a sink"));
        assertThat(String.join("\n", problems)).doesNotContain("SECRETTOKEN");
    }

    @Test
    void badYamlNamesTheLineButNotItsContent() {
        assertThatThrownBy(() -> parse("sinks:\n  ops: {type: console\n  webhook: SECRET", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not valid YAML at line")
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void readsTheWatchdogContractAndAdvisesAgainstAHealthRouteWithoutAnIndependentSink() {
        RelayConfig config = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks:
                  ops-slack: {type: slack, webhook-url: "https://hooks.slack.invalid/services/T/B/X"}
                routes:
                  - sinks: [ops-slack]
                    canaries: true
                watchdog:
                  canary: {interval: 10s, timeout: 3s, channel: "alerts:__canary__"}
                  heartbeat-url: ${HEARTBEAT_URL}
                  health-route: [ops-slack]
                  sink-failed-after: 5
                  absence: {factor: 8}
                http:
                  port: 9464
                """, Map.of("HEARTBEAT_URL", "https://hc-ping.invalid/abc"));
        assertThat(config.watchdog().canary().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.watchdog().healthRoute()).containsExactly("ops-slack");
        assertThat(config.watchdog().http().port()).isEqualTo(9464);
        assertThat(config.sinkFailedAfter()).isEqualTo(5);
        assertThat(config.streams().absence().factor()).isEqualTo(8);
        assertThat(config.routes().get(0).canaries()).isTrue();
        assertThat(config.warnings()).singleElement().asString()
                .startsWith("watchdog.health-route: [ops-slack] is also the sink alerts go to");
        assertThat(config.watchdog().toString()).doesNotContain("abc");
    }

    @Test
    void anIndependentHealthSinkNeedsNoAdvice() {
        RelayConfig config = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks:
                  ops-slack: {type: slack, webhook-url: "https://hooks.slack.invalid/services/T/B/X"}
                  ops-console: {type: console}
                routes:
                  - sinks: [ops-slack]
                watchdog:
                  health-route: [ops-console]
                """, Map.of());
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void watchdogProblemsAreReportedWithTheOthers() {
        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks: {ops: {type: console}}
                watchdog:
                  canary: {interval: 10x}
                  sink-failed-after: 0
                """)).containsExactly("watchdog.canary.interval: '10x' is not a duration (e.g. 500ms, 10s, 2m)",
                "watchdog.sink-failed-after: '0' must be a positive integer");
        // names are checked against the other sections once the watchdog section itself is valid
        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks: {ops: {type: console}}
                watchdog:
                  canary: {channel: "other:__canary__"}
                  health-route: [pager]
                """)).anySatisfy(problem -> assertThat(problem).startsWith("watchdog.health-route[0]: 'pager'"))
                .anySatisfy(problem -> assertThat(problem).startsWith("watchdog.canary.channel: 'other:__canary__'"));
    }

    @Test
    void aRatePerSinkOrUnlimitedOrTheSinksDefault() {
        RelayConfig config = parse("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks:
                  paced: {type: console, rate: {per-second: 0.5, burst: 2}}
                  one: {type: console, rate: {per-second: 1}}
                  free: {type: console, rate: unlimited}
                  plain: {type: console}
                  slack: {type: slack, webhook-url: "https://hooks.slack.invalid/services/T0/B0/X"}
                  slack-free: {type: slack, webhook-url: "https://hooks.slack.invalid/services/T0/B0/X", rate: unlimited}
                """, Map.of());
        Map<String, SinkInstance> sinks = new java.util.HashMap<>();
        List<SinkInstance> created = config.createSinks(Clock.systemUTC());
        created.forEach(sink -> sinks.put(sink.id(), sink));
        assertThat(sinks.get("paced").rate()).contains(new io.alertrelay.spi.Rate(0.5, 2));
        assertThat(sinks.get("one").rate()).as("burst defaults to 1").contains(new io.alertrelay.spi.Rate(1, 1));
        assertThat(sinks.get("free").rate()).isEmpty();
        assertThat(sinks.get("plain").rate()).as("console: no default").isEmpty();
        assertThat(sinks.get("slack").rate()).as("Slack's default").contains(new io.alertrelay.spi.Rate(1, 3));
        assertThat(sinks.get("slack-free").rate()).isEmpty();
        created.forEach(sink -> sink.sink().close());
    }

    @Test
    void aBadRateNamesItsKey() {
        assertThat(problems("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}]
                sinks:
                  a: {type: console, rate: {per-second: 0, burst: 0}}
                  b: {type: console, rate: fast}
                  c: {type: console, rate: {burst: 2, per-minute: 3}}
                """)).contains(
                "sinks.a.rate.per-second: must be more than 0 (for no limit write rate: unlimited)",
                "sinks.b.rate: must be 'unlimited' or a section such as { per-second: 1, burst: 3 }, not 'fast'")
                .anySatisfy(problem -> assertThat(problem).startsWith("sinks.a.rate.burst:"))
                .anySatisfy(problem -> assertThat(problem).startsWith("sinks.c.rate.per-second:"))
                .anySatisfy(problem -> assertThat(problem).startsWith("sinks.c.rate.per-minute:"));
    }
}
