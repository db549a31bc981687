package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Subscription;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class WatchdogConfigTest {
    private static final String TOKEN = "5f3c9a2e-SECRET-TOKEN-77";

    @Test
    void everyKeyHasADefault() {
        TreeConfigView root = TreeConfigView.root(Map.of());
        WatchdogConfig config = WatchdogConfig.from(root);
        assertThat(config).isEqualTo(WatchdogConfig.defaults());
        assertThat(config.canary()).isEqualTo(new WatchdogConfig.Canary(Duration.ofSeconds(10), Duration.ofSeconds(3),
                Optional.empty()));
        assertThat(config.heartbeatUrl()).isEmpty();
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.healthRoute()).isEmpty();
        assertThat(config.readyCanaryAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.http()).isEqualTo(new WatchdogConfig.Http(true, "127.0.0.1", 9464));
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void readsEveryKey() {
        TreeConfigView root = TreeConfigView.root(Map.of(
                "watchdog", Map.of(
                        "canary", Map.of("interval", "5s", "timeout", "1500ms", "channel", "alerts:__canary__"),
                        "heartbeat-url", "https://hc-ping.com/" + TOKEN,
                        "heartbeat-interval", "1m",
                        "health-route", List.of("ops-mail", "ops-slack"),
                        "ready-canary-age", "20s"),
                "http", Map.of("enabled", false, "bind", "0.0.0.0", "port", 0)));
        WatchdogConfig config = WatchdogConfig.from(root);
        assertThat(config.canary()).isEqualTo(new WatchdogConfig.Canary(Duration.ofSeconds(5), Duration.ofMillis(1500),
                Optional.of("alerts:__canary__")));
        assertThat(config.heartbeatUrl()).contains(URI.create("https://hc-ping.com/" + TOKEN));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.healthRoute()).containsExactly("ops-mail", "ops-slack");
        assertThat(config.readyCanaryAge()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.http()).isEqualTo(new WatchdogConfig.Http(false, "0.0.0.0", 0));
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnceUnderItsFullKeyAndNeverTheUrl() {
        Map<String, Object> watchdog = new LinkedHashMap<>();
        watchdog.put("canary", Map.of("interval", "10x", "timeout", "0"));
        watchdog.put("heartbeat-url", "ftp://hc-ping.com/" + TOKEN);
        watchdog.put("heartbeat-interval", "500ms");
        watchdog.put("ready-canary-age", "5s");
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", watchdog,
                "http", Map.of("enabled", "maybe", "port", 70000)));
        assertThatThrownBy(() -> WatchdogConfig.from(root))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "watchdog.canary.interval: '10x' is not a duration (e.g. 500ms, 10s, 2m)",
                        "watchdog.canary.timeout: must be more than 0",
                        "watchdog.heartbeat-url: value is not an http or https URL (value not shown: sensitive)",
                        "watchdog.heartbeat-interval: must be at least 1s",
                        "watchdog.ready-canary-age: must be at least watchdog.canary.interval + watchdog.canary.timeout "
                                + "(10s), or readiness flaps between canaries",
                        "http.enabled: 'maybe' is not a boolean (true or false)",
                        "http.port: must be 0-65535 (0 = any free port)"))
                .message().doesNotContain(TOKEN);
    }

    @Test
    void aSectionThatIsNotASectionIsOneProblemAndTheRestIsStillChecked() {
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", Map.of("canary", "fast"), "http", Map.of("port", "x")));
        assertThatThrownBy(() -> WatchdogConfig.from(root))
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "watchdog.canary: must be a section (key: value pairs)",
                        "http.port: 'x' is not an integer"));
    }

    @Test
    void leavesTheStreamWatchKeysToStreamWatchConfig() {
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", Map.of(
                "canary", Map.of("interval", "10s"),
                "streams", Map.of("alerts:*", Map.of("expect", "1/m")),
                "absence", Map.of("for", "5m"),
                "anomaly", Map.of("factor", 3),
                "expect", "1/m")));
        WatchdogConfig.from(root);
        assertThat(root.unusedKeys()).extracting(problem -> problem.substring(0, problem.indexOf(':')))
                .containsExactlyInAnyOrder("watchdog.streams", "watchdog.absence", "watchdog.anomaly", "watchdog.expect");
    }

    @Test
    void aBlankHeartbeatUrlSwitchesTheHeartbeatOff() {
        // what `heartbeat-url: ${HEARTBEAT_URL:-}` becomes when the variable is unset
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", Map.of("heartbeat-url", "")));
        assertThat(WatchdogConfig.from(root).heartbeatUrl()).isEmpty();
    }

    @Test
    void toStringNeverShowsTheHeartbeatUrl() {
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", Map.of("heartbeat-url", "https://hc-ping.com/" + TOKEN)));
        assertThat(WatchdogConfig.from(root).toString()).doesNotContain(TOKEN).contains("(set, not shown: sensitive)");
    }

    @Test
    void readyCanaryAgeDefaultsToThreeIntervalsButAtLeastIntervalPlusTimeout() {
        assertThat(WatchdogConfig.from(TreeConfigView.root(Map.of("watchdog", Map.of("canary",
                Map.of("interval", "2s"))))).readyCanaryAge()).isEqualTo(Duration.ofSeconds(6));
        assertThat(WatchdogConfig.from(TreeConfigView.root(Map.of("watchdog", Map.of("canary",
                Map.of("interval", "2s", "timeout", "5s"))))).readyCanaryAge()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void crossCheckNeedsTheChannelToMatchASubscriptionAndTheHealthRouteToNameSinks() {
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", Map.of(
                "canary", Map.of("channel", "other:__canary__"),
                "health-route", List.of("ops-mail", "pager"))));
        WatchdogConfig config = WatchdogConfig.from(root);
        assertThat(config.crossCheck(List.of(Subscription.pattern("alerts:*")), Set.of("ops-mail", "ops-slack")))
                .containsExactly(
                        "watchdog.canary.channel: 'other:__canary__' matches none of the subscriptions [pattern alerts:*]; "
                                + "a canary must come back through one of them",
                        "watchdog.health-route[1]: 'pager' is not a sink defined under sinks; defined: "
                                + Set.of("ops-mail", "ops-slack"));
        assertThat(WatchdogConfig.defaults().crossCheck(List.of(Subscription.pattern("alerts:*")), Set.of())).isEmpty();
    }

    @Test
    void derivesOneCanaryChannelPerSubscription() {
        List<CanaryTarget> targets = WatchdogConfig.defaults().canary().targets(List.of(
                Subscription.pattern("alerts:*"),
                Subscription.pattern("team-?:[a-c]*:events"),
                Subscription.pattern("*"),
                Subscription.channel("billing"),
                Subscription.pattern("alerts:*"),
                Subscription.pattern("lit\\*eral:*")));
        assertThat(targets).extracting(CanaryTarget::channel).containsExactly(
                "alerts:__canary__", "team-_:a__canary__:events", "__canary__", "billing", "lit*eral:__canary__");
        assertThat(targets.get(1).subscription()).isEqualTo(Subscription.pattern("team-?:[a-c]*:events"));
    }

    @Test
    void aConfiguredChannelProvesTheFirstSubscriptionItMatches() {
        assertThat(CanaryTarget.resolve(Optional.of("alerts:__canary__"),
                List.of(Subscription.channel("billing"), Subscription.pattern("alerts:*"))))
                .containsExactly(new CanaryTarget("alerts:__canary__", Subscription.pattern("alerts:*")));
    }

    @Test
    void aPatternThatYieldsNoChannelIsAProblem() {
        assertThat(CanaryTarget.derive("[^_a-zA-Z0-9.:-]")).isEmpty();
        assertThatThrownBy(() -> CanaryTarget.resolve(Optional.empty(), List.of(Subscription.pattern("[^_a-zA-Z0-9.:-]"))))
                .hasMessageContaining("watchdog.canary.channel: no canary channel can be derived from pattern");
    }
}
