package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisSourceConfigTest {
    private static final String SECRET = "s3cr3t-Pa55";

    @Test
    void urlWithDefaults() {
        RedisSourceConfig config = read(Map.of("url", "redis://redis.internal:7000"));

        assertThat(config.standalone()).contains(
                new RedisSourceConfig.Standalone("redis.internal", 7000, false, 0, Optional.empty()));
        assertThat(config.sentinel()).isEmpty();
        assertThat(config.password()).isEmpty();
        assertThat(config.clientName()).isEqualTo("alert-relay").isEqualTo(RedisSourceConfig.DEFAULT_CLIENT_NAME);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.reconnectDelayMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.pingTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.redactedTarget()).isEqualTo("redis://redis.internal:7000/0");
    }

    @Test
    void failoverKeysDefaults() {
        RedisSourceConfig standalone = read(Map.of("url", "redis://redis.internal:7000"));
        assertThat(standalone.everyNode()).isFalse();
        assertThat(standalone.reconcileInterval()).isEqualTo(Duration.ofSeconds(5))
                .isEqualTo(RedisSourceConfig.DEFAULT_RECONCILE_INTERVAL);

        RedisSourceConfig sentinel = read(Map.of("sentinel", Map.of("master", "m", "nodes", List.of("h:26379"))));
        assertThat(sentinel.subscribeOn()).isEqualTo(RedisSourceConfig.SubscribeOn.EVERY_NODE);
        assertThat(sentinel.everyNode()).isTrue();
        assertThat(sentinel.dedupWindow()).isEqualTo(Duration.ofSeconds(30)).isEqualTo(RedisSourceConfig.DEFAULT_DEDUP_WINDOW);
        assertThat(sentinel.dedupMaxEntries()).isEqualTo(100_000).isEqualTo(RedisSourceConfig.DEFAULT_DEDUP_MAX_ENTRIES);
        assertThat(sentinel.toString()).contains("subscribeOn=every-node", "dedupWindow=PT30S");
    }

    @Test
    void failoverKeysAreReadAndChecked() {
        RedisSourceConfig config = read(Map.of("sentinel", Map.of("master", "m", "nodes", List.of("h:26379")),
                "subscribe-on", "master", "dedup-window", "10s", "dedup-max-entries", "50", "reconcile-interval", "1s"));
        assertThat(config.subscribeOn()).isEqualTo(RedisSourceConfig.SubscribeOn.MASTER);
        assertThat(config.everyNode()).isFalse();
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.dedupMaxEntries()).isEqualTo(50);
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(1));

        assertThatThrownBy(() -> read(Map.of("sentinel", Map.of("master", "m", "nodes", List.of("h:26379")),
                "subscribe-on", "replicas", "dedup-window", "0", "dedup-max-entries", "-3", "reconcile-interval", "x")))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).hasSize(4)
                        .anySatisfy(p -> assertThat(p).startsWith("redis.subscribe-on:").contains("every-node, master"))
                        .anySatisfy(p -> assertThat(p).startsWith("redis.dedup-window:"))
                        .anySatisfy(p -> assertThat(p).startsWith("redis.dedup-max-entries:"))
                        .anySatisfy(p -> assertThat(p).startsWith("redis.reconcile-interval:")));
    }

    @Test
    void urlDefaultsThePortAndReadsTlsDatabaseUserAndPassword() {
        assertThat(read(Map.of("url", "redis://localhost")).standalone().orElseThrow().port()).isEqualTo(6379);

        RedisSourceConfig config = read(Map.of("url", "rediss://relay:" + SECRET + "@cache.example:6380/3"));

        assertThat(config.standalone()).contains(
                new RedisSourceConfig.Standalone("cache.example", 6380, true, 3, Optional.of("relay")));
        assertThat(config.password().orElseThrow().reveal()).isEqualTo(SECRET);
        assertThat(config.redactedTarget()).isEqualTo("rediss://relay:****@cache.example:6380/3");
        assertThat(config.toString()).doesNotContain(SECRET).contains("password=****");

        RedisURI uri = LettuceSupport.redisUri(config);
        assertThat(uri.getHost()).isEqualTo("cache.example");
        assertThat(uri.isSsl()).isTrue();
        assertThat(uri.getDatabase()).isEqualTo(3);
        assertThat(uri.getClientName()).isEqualTo("alert-relay");
        assertThat(uri.toString()).doesNotContain(SECRET);
    }

    @Test
    void passwordOnlyUserInfoAndSeparatePasswordKey() {
        assertThat(read(Map.of("url", "redis://:" + SECRET + "@h:1")).password().orElseThrow().reveal()).isEqualTo(SECRET);
        RedisSourceConfig config = read(Map.of("url", "redis://h:1", "password", SECRET));
        assertThat(config.password().orElseThrow().reveal()).isEqualTo(SECRET);
        assertThat(config.redactedTarget()).isEqualTo("redis://:****@h:1/0");
        assertThat(config.toString()).doesNotContain(SECRET);
    }

    @Test
    void sentinelWithAllSettings() {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("sentinel", Map.of("master", "mymaster", "nodes", List.of("10.0.0.1:26379", "10.0.0.2:26380"),
                "password", SECRET + "-sentinel"));
        redis.put("password", SECRET);
        redis.put("client-name", "relay-1");
        redis.put("connect-timeout", "3s");
        redis.put("reconnect-delay-max", "500ms");
        redis.put("ping-interval", "2s");
        redis.put("ping-timeout", "4s");

        RedisSourceConfig config = read(redis);

        assertThat(config.standalone()).isEmpty();
        RedisSourceConfig.Sentinel sentinel = config.sentinel().orElseThrow();
        assertThat(sentinel.masterName()).isEqualTo("mymaster");
        assertThat(sentinel.nodes()).containsExactly(new HostAndPort("10.0.0.1", 26379), new HostAndPort("10.0.0.2", 26380));
        assertThat(sentinel.password().orElseThrow().reveal()).isEqualTo(SECRET + "-sentinel");
        assertThat(config.password().orElseThrow().reveal()).isEqualTo(SECRET);
        assertThat(config.clientName()).isEqualTo("relay-1");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.reconnectDelayMax()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.pingTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.toString()).doesNotContain(SECRET).contains("mymaster").contains("10.0.0.1:26379");
        assertThat(sentinel.toString()).doesNotContain(SECRET);

        RedisURI uri = LettuceSupport.redisUri(config);
        assertThat(uri.getSentinelMasterId()).isEqualTo("mymaster");
        assertThat(uri.getSentinels()).extracting(RedisURI::getPort).containsExactly(26379, 26380);
        assertThat(uri.getTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void bothUrlAndSentinelIsAProblem() {
        assertThatThrownBy(() -> read(Map.of("url", "redis://h:1",
                "sentinel", Map.of("master", "m", "nodes", List.of("h:2")))))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems())
                        .containsExactly("redis.url: give either redis.url or redis.sentinel, not both"));
    }

    @Test
    void neitherUrlNorSentinelIsAProblem() {
        assertThatThrownBy(() -> read(Map.of("client-name", "x")))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "redis.url: is required unless redis.sentinel or redis.cluster is given (give exactly one of"
                                + " redis.url, redis.sentinel, redis.cluster)"));
    }

    @Test
    void clusterAsInIssue11() {
        RedisSourceConfig config = read(Map.of("cluster",
                Map.of("nodes", List.of("127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002")), "password", SECRET));
        assertThat(config.cluster().orElseThrow().nodes()).containsExactly(new HostAndPort("127.0.0.1", 7000),
                new HostAndPort("127.0.0.1", 7001), new HostAndPort("127.0.0.1", 7002));
        assertThat(config.standalone()).isEmpty();
        assertThat(config.sentinel()).isEmpty();
        assertThat(config.everyNode()).as("subscribes on several nodes, deduplicating").isTrue();
        assertThat(config.redactedTarget()).isEqualTo("cluster via [127.0.0.1:7000, 127.0.0.1:7001, 127.0.0.1:7002]");
        assertThat(config.toString()).doesNotContain(SECRET);
        RedisURI uri = LettuceSupport.redisUri(config);
        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        assertThat(uri.getPort()).isEqualTo(7000);
        assertThat(uri.getSentinels()).isEmpty();
    }

    @Test
    void clusterProblemsAreKeyed() {
        assertThatThrownBy(() -> read(Map.of("cluster", Map.of("nodes", List.of()))))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).singleElement().asString()
                        .startsWith("redis.cluster.nodes: is required"));
        assertThatThrownBy(() -> read(Map.of("cluster", Map.of("nodes", List.of("nohost")))))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).singleElement().asString()
                        .startsWith("redis.cluster.nodes"));
        assertThatThrownBy(() -> read(Map.of("url", "redis://h:1", "cluster", Map.of("nodes", List.of("h:2")))))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems())
                        .containsExactly("redis.cluster: give either redis.url or redis.cluster, not both"));
        assertThatThrownBy(() -> read(Map.of("cluster", Map.of("nodes", List.of("h:2")), "subscribe-on", "master")))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).singleElement().asString()
                        .startsWith("redis.subscribe-on: applies to redis.sentinel only"));
    }

    @Test
    void everyProblemAtOnceWithFullKeys() {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("sentinel", Map.of("nodes", List.of("10.0.0.1:26379", "no-port", "h:99999")));
        redis.put("connect-timeout", "5x");
        redis.put("reconnect-delay-max", "0");
        redis.put("ping-interval", "-1s");
        redis.put("client-name", "has space");

        assertThatThrownBy(() -> read(redis))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactlyInAnyOrder(
                        "redis.sentinel.master: is required",
                        "redis.sentinel.nodes[1]: 'no-port' is not host:port",
                        "redis.sentinel.nodes[2]: 'h:99999' is not host:port (port must be 1-65535)",
                        "redis.client-name: must be printable ASCII without spaces (Redis CLIENT SETNAME rejects others)",
                        "redis.connect-timeout: '5x' is not a duration (e.g. 500ms, 10s, 2m)",
                        "redis.reconnect-delay-max: must be greater than 0",
                        "redis.ping-interval: '-1s' is not a duration (e.g. 500ms, 10s, 2m)"));
    }

    @Test
    void sentinelNeedsNodes() {
        assertThatThrownBy(() -> read(Map.of("sentinel", Map.of("master", "m"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis.sentinel.nodes: is required");
        assertThatThrownBy(() -> read(Map.of("sentinel", "m")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis.sentinel: must be a section");
    }

    @Test
    void badUrlsNeverShowThePassword() {
        List<String> bad = List.of(
                "http://user:" + SECRET + "@h:1",
                "redis://user:" + SECRET + "@h:1/x",
                "redis://user:" + SECRET + "@h:1?timeout=1s",
                "redis://user:" + SECRET + "@h:1/0 with space",
                "redis://user:" + SECRET + "@/0",
                "user:" + SECRET + "@h:1");
        for (String url : bad) {
            assertThatThrownBy(() -> read(Map.of("url", url)))
                    .as(url)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("Invalid configuration: redis.url: ")
                    .hasMessageNotContaining(SECRET);
        }
        assertThatThrownBy(() -> read(Map.of("url", "http://user:" + SECRET + "@h:1")))
                .hasMessageContaining("'http://user:****@h:1' must start with redis:// or rediss://");
        assertThatThrownBy(() -> read(Map.of("url", "redis://h:1/x")))
                .hasMessageContaining("'redis://h:1/x' has a path that is not a database number");
    }

    @Test
    void passwordTwiceOrUserWithoutPasswordIsAProblem() {
        assertThatThrownBy(() -> read(Map.of("url", "redis://:" + SECRET + "@h:1", "password", SECRET)))
                .hasMessageContaining("redis.password: is also given in redis.url; give it only once")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> read(Map.of("url", "redis://relay:@h:1")))
                .hasMessageContaining("redis.url: has a user name but no password");
        // as in Lettuce, user info without a colon is the password (redis://password@host)
        RedisSourceConfig passwordOnly = read(Map.of("url", "redis://" + SECRET + "@h:1"));
        assertThat(passwordOnly.password().orElseThrow().reveal()).isEqualTo(SECRET);
        assertThat(passwordOnly.standalone().orElseThrow().username()).isEmpty();
    }

    @Test
    void passwordIsNeverEchoedEvenWhenInvalid() {
        assertThatThrownBy(() -> read(Map.of("url", "redis://h:1", "password", " ")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis.password: value must not be blank (value not shown: sensitive)");
    }

    @Test
    void secretToStringHidesTheValue() {
        assertThat(new RedisSourceConfig.Secret(SECRET).toString()).isEqualTo("****");
    }

    private static RedisSourceConfig read(Map<String, ?> redis) {
        return RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", redis)).section("redis"));
    }
}
