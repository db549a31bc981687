package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.Grouping;
import io.alertrelay.core.Matcher;
import io.alertrelay.core.Route;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.SinkFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 9's config: routes with matchers, continue and grouping; default-sinks; silences; http.token for the silence API. */
final class RoutingConfigTest {
    private static final Map<String, SinkFactory> FACTORIES =
            SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
    private static final String HEAD = """
            redis:
              url: redis://127.0.0.1:6379
            subscriptions:
              - pattern: "alerts:*"
            sinks:
              oncall-slack:
                type: console
              ops-mail:
                type: console
            """;

    private static RelayConfig parse(String yaml) {
        RelayConfig config = RelayConfig.parse(ConfigLoader.parse("test", HEAD + yaml, name -> null), FACTORIES,
                Clock.systemUTC());
        return config;
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
    void theIssuesRoutesAndSilencesShapeIsRead() {
        RelayConfig config = parse("""
                routes:
                  - match: { severity: [critical] }
                    sinks: [oncall-slack]
                    group-by: [service, cluster]
                    group-wait: 30s
                    group-interval: 5m
                    repeat-interval: 4h
                    continue: true
                  - matchers: ["service=~db-.*", "team!=web"]
                    sinks: [ops-mail]
                    send-resolved: false
                  - match: { labels: { team: ops } }
                    group-by: [...]
                    sinks: [ops-mail]
                default-sinks: [ops-mail]
                silences:
                  - matchers: ["service=batch", "severity!=critical"]
                    until: 2026-12-24T06:00:00Z
                    comment: "nightly batch rework"
                """);
        Route first = config.routes().get(0);
        assertThat(first.grouping()).isEqualTo(new Grouping(Optional.of(List.of("service", "cluster")),
                Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), true));
        assertThat(first.continueMatching()).contains(true);
        Route second = config.routes().get(1);
        assertThat(second.matchers()).containsExactly(Matcher.parse("service=~db-.*"), Matcher.parse("team!=web"));
        assertThat(second.grouping().grouped()).isFalse();
        assertThat(second.grouping().sendResolved()).isFalse();
        assertThat(second.continueMatching()).isEmpty();
        assertThat(config.routes().get(2).grouping().byAllLabels()).isTrue();
        assertThat(config.defaultSinks()).containsExactly("ops-mail");
        assertThat(config.silences()).singleElement().satisfies(silence -> {
            assertThat(silence.endsAt()).isEqualTo(Instant.parse("2026-12-24T06:00:00Z"));
            assertThat(silence.comment()).isEqualTo("nightly batch rework");
            assertThat(silence.createdBy()).isEqualTo("config");
            assertThat(silence.id()).startsWith("cfg-");
        });
    }

    @Test
    void withoutTheNewKeysARouteMeansWhatItMeantBefore() {
        RelayConfig config = parse("""
                routes:
                  - sinks: [oncall-slack]
                """);
        Route route = config.routes().get(0);
        assertThat(route.grouping()).isEqualTo(Grouping.defaults());
        assertThat(route.continueMatching()).isEmpty();
        assertThat(config.defaultSinks()).isEmpty();
        assertThat(config.silences()).isEmpty();
        assertThat(config.httpToken()).isEmpty();
    }

    @Test
    void badRoutingKeysAreNamed() {
        assertThat(problems("""
                routes:
                  - sinks: [oncall-slack]
                    group-wait: soon
                    matchers: ["service"]
                    continue: maybe
                  - sinks: [oncall-slack]
                    group-interval: 1m
                  - sinks: [oncall-slack]
                    group-by: [service]
                    group-interval: 10m
                    repeat-interval: 5m
                default-sinks: [nowhere]
                silences:
                  - matchers: ["host=~("]
                    until: tomorrow
                  - comment: "no matchers, no until"
                """)).anySatisfy(p -> assertThat(p).isEqualTo("routes[0].group-wait: 'soon' is not a duration (e.g. 500ms, 10s, 2m)"))
                .anySatisfy(p -> assertThat(p).startsWith("routes[0].matchers[0]: ").contains("name=value"))
                .anySatisfy(p -> assertThat(p).startsWith("routes[0].continue: "))
                .anySatisfy(p -> assertThat(p).isEqualTo("routes[1].group-interval: needs group-by"))
                .anySatisfy(p -> assertThat(p).startsWith("routes[2].repeat-interval: must be at least group-interval"))
                .anySatisfy(p -> assertThat(p).startsWith("default-sinks[0]: 'nowhere' is not a sink"))
                .anySatisfy(p -> assertThat(p).startsWith("silences[0].matchers[0]: ").contains("regular expression"))
                .anySatisfy(p -> assertThat(p).startsWith("silences[0].until: 'tomorrow' is not an ISO-8601 instant"))
                .anySatisfy(p -> assertThat(p).startsWith("silences[1].matchers: is required"))
                .anySatisfy(p -> assertThat(p).startsWith("silences[1].until: is required"));
    }

    @Test
    void theSilenceApiUsesHttpTokenAndTheTokenIsNeverEchoed() {
        // off loopback without a token the relay starts; /api/silences then answers 403 (SilenceRoutesTest)
        assertThat(parse("http: {bind: 0.0.0.0}\n").httpToken()).isEmpty();
        assertThat(parse("http: {bind: 0.0.0.0, token: \"s3cret-s3cret-s3cret\"}\n").httpToken())
                .contains("s3cret-s3cret-s3cret");
        assertThat(parse("http: {bind: 127.0.0.1}\n").httpToken()).isEmpty();
        List<String> shortToken = problems("http: {token: \"short-secret\"}\n");
        assertThat(shortToken).singleElement().satisfies(p -> assertThat(p)
                .startsWith("http.token: must be at least 16").doesNotContain("short-secret"));
        assertThat(parse("http: {token: \"s3cret-s3cret-s3cret\"}\n").toString()).doesNotContain("s3cret");
    }

    @Test
    void nestedRoutesInheritSinksAndGroupingAndNestAtMostEightLevels() {
        RelayConfig config = parse("""
                routes:
                  - matchers: ["severity=critical"]
                    sinks: [oncall-slack]
                    group-by: [service]
                    routes:
                      - matchers: ["service=db"]
                      - matchers: ["service=batch"]
                        sinks: [ops-mail]
                        group-by: [host]
                """);
        Route parent = config.routes().get(0);
        assertThat(parent.children()).hasSize(2);
        Route db = parent.children().get(0);
        assertThat(db.sinks()).as("inherited").containsExactly("oncall-slack");
        assertThat(db.grouping()).as("inherited").isEqualTo(parent.grouping());
        Route batch = parent.children().get(1);
        assertThat(batch.sinks()).containsExactly("ops-mail");
        assertThat(batch.grouping().groupBy()).contains(List.of("host"));

        StringBuilder deep = new StringBuilder("routes:\n");
        String indent = "";
        for (int level = 0; level < RelayConfig.MAX_ROUTE_DEPTH + 1; level++) {
            deep.append(indent).append("  - sinks: [ops-mail]\n").append(indent).append("    routes:\n");
            indent += "    ";
        }
        deep.append(indent).append("  - sinks: [ops-mail]\n");
        assertThat(problems(deep.toString())).anySatisfy(p -> assertThat(p).endsWith("routes nest at most 8 levels deep"));
    }
}
