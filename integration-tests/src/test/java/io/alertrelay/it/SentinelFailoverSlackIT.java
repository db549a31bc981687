package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.testing.redis.SentinelTopology;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's own config against a real Sentinel topology (master, replica, three sentinels): an alert becomes one
 * webhook POST, and still does after the master is SIGKILLed and Sentinel promotes the replica.
 */
@RequiresRedisServer
final class SentinelFailoverSlackIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void deliversBeforeAndAfterTheMasterIsKilled() throws Exception {
        try (SentinelTopology topology = SentinelTopology.start();
             SlackWebhook slack = new SlackWebhook()) {
            String nodes = RelayProcess.yamlList(topology.sentinelAddresses());
            try (RelayProcess relay = RelayProcess.startWithConfig(dir, """
                    redis:
                      sentinel:
                        master: mymaster
                        nodes: [%s]
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      ops-slack:
                        type: slack
                        webhook-url: ${SLACK_WEBHOOK_URL}
                    routes:
                      - sinks: [ops-slack]
                    http: {port: 0}
                    """.formatted(nodes), Map.of("SLACK_WEBHOOK_URL", slack.url()))) {
                relay.awaitStderr(line -> line.contains("VERIFIED"), WAIT);

                HostAndPort master = topology.currentMaster();
                try (Publisher publisher = new Publisher(master.host(), master.port())) {
                    publisher.publish("alerts:prod", "{\"title\":\"Disk full on db-1\",\"severity\":\"critical\"}");
                }
                JsonNode first = slack.next(WAIT);
                assertThat(first.toString()).contains("Disk full on db-1");

                topology.master().kill();
                HostAndPort promoted = topology.awaitFailover(WAIT);
                assertThat(promoted).isNotEqualTo(master);

                // publish on the new master until the relay, resubscribed there, delivers one
                try (Publisher publisher = new Publisher(promoted.host(), promoted.port())) {
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    int n = 0;
                    while (publisher.publish("alerts:prod", "{\"title\":\"after failover " + n++ + "\"}") == 0) {
                        assertThat(System.nanoTime()).as("relay resubscribed on the new master").isLessThan(deadline);
                        Thread.sleep(100);
                    }
                }
                JsonNode after = slack.awaitText("after failover", WAIT);
                assertThat(after.path("text").asText()).contains("after failover");
                assertThat(relay.stderr()).contains(promoted.toString()).doesNotContain("SECRETTOKEN");
            }
        }
    }
}
