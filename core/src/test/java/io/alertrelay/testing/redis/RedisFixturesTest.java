package io.alertrelay.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.Parsers.HostAndPort;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Checks the real-Redis fixtures themselves (they are what the failover tests stand on). */
@RequiresRedisServer
class RedisFixturesTest {
    @Test
    void standaloneStartsAnswersRestartsAndStops() {
        RedisServerProcess redis = RedisServerProcess.startStandalone();
        try {
            int port = redis.port();
            assertThat(port).isNotEqualTo(6379);
            assertThat(redis.address()).isEqualTo("127.0.0.1:" + port);
            assertThat(redis.command("PING")).isEqualTo("PONG");
            assertThat(redis.command("ROLE")).startsWith("master");
            assertThat(redis.command("CONFIG", "GET", "save")).isEqualTo("save\n");

            redis.pause();
            assertThat(redis.isPaused()).isTrue();
            try (RespClient frozen = RespClient.connect(redis.host(), redis.port(), Duration.ofMillis(300))) {
                assertThatThrownBy(() -> frozen.call("PING")).isInstanceOf(RuntimeException.class);
            }
            redis.resume();
            assertThat(redis.command("PING")).isEqualTo("PONG");

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.command("PING")).isEqualTo("PONG");

            redis.kill();
            assertThat(redis.isRunning()).isFalse();
            redis.start();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.logFile()).exists();
            assertThatThrownBy(() -> redis.command("NOSUCHCOMMAND")).isInstanceOf(RespClient.RespError.class);
        } finally {
            redis.close();
        }
        assertThat(redis.isRunning()).isFalse();
        redis.close();
    }

    @Test
    void clusterOfSixNodesServesEverySlotAndStopsEverything() {
        java.util.List<RedisServerProcess> nodes;
        try (RedisCluster cluster = RedisCluster.start()) {
            nodes = cluster.nodes();
            assertThat(nodes).hasSize(6).allSatisfy(node -> assertThat(node.isRunning()).isTrue());
            assertThat(cluster.masters()).hasSize(3);
            for (String master : cluster.masters()) {
                String replica = cluster.replicaOf(master).orElseThrow();
                assertThat(cluster.node(replica).command("INFO", "replication")).contains("role:slave")
                        .contains("master_link_status:up");
            }
            assertThat(cluster.node(cluster.masters().get(0)).command("CLUSTER", "INFO")).contains("cluster_state:ok");
            assertThat(nodes.stream().map(RedisServerProcess::dir).distinct()).as("one nodes.conf each").hasSize(6);
        }
        assertThat(nodes).allSatisfy(node -> assertThat(node.isRunning()).isFalse());
    }

    @Test
    void sentinelTopologyFailsOverWhenTheMasterDies() {
        try (SentinelTopology topology = SentinelTopology.start()) {
            HostAndPort original = topology.currentMaster();
            assertThat(topology.master().port()).isEqualTo(original.port());
            assertThat(topology.sentinelPorts()).hasSize(3);

            topology.master().kill();
            HostAndPort promoted = topology.awaitFailover(Duration.ofSeconds(30));

            assertThat(promoted).isNotEqualTo(original);
            assertThat(topology.master().port()).isEqualTo(promoted.port());
            assertThat(topology.master().command("ROLE")).startsWith("master");
        }
    }
}
