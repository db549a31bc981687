package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import io.alertrelay.testing.redis.SentinelTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's black-box run, as issue 7 corrected it: the master is frozen with SIGSTOP (no TCP reset, the client library
 * notices nothing by itself) while Sentinel fails over. /health/ready must turn false (the master's subscription can no
 * longer be proven) and back to true on the promoted node, the dead man's switch must send /fail while the loop is
 * broken and ping while it is healthy, and alerts must be delivered again. What it must NOT do any more: blame the
 * subscriptions for the frozen node's unanswered canaries. A canary that cannot be published is that node's publishing
 * problem ("canaries cannot be published on X"), no node is suspected, nothing is resubscribed, and no blind window is
 * reported: the relay's open connection to the frozen master and its subscription on the replica covered every write.
 */
@RequiresRedisServer
final class WatchdogFrozenMasterIT {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void aFrozenMasterIsNoticedReportedAndRecoveredFrom() throws Exception {
        try (SentinelTopology topology = SentinelTopology.start();
             SlackWebhook slack = new SlackWebhook();
             HeartbeatServer heartbeat = new HeartbeatServer()) {
            List<String> heartbeats = heartbeat.paths();
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
                      ops-console:
                        type: console
                    routes:
                      - sinks: [ops-slack]
                    watchdog:
                      canary:
                        interval: 1s
                        timeout: 500ms
                        channel: "alerts:__canary__"
                      heartbeat-url: ${HEARTBEAT_URL}
                      heartbeat-interval: 1s
                      health-route: [ops-console]
                    http:
                      port: 0
                    """.formatted(nodes), Map.of("SLACK_WEBHOOK_URL", slack.url(),
                    "HEARTBEAT_URL", heartbeat.url("/ping/check-1")))) {
                HttpProbe http = new HttpProbe(relay);
                http.awaitStatus("/health/ready", 200, WAIT);
                assertThat(http.status("/health/live")).isEqualTo(200);
                heartbeat.await("/ping/check-1", 0, WAIT);
                // steady state: canaries come back through the master AND the replica (every-node subscriptions
                // deliver each message once; the replica's copy must still count), so no node is ever suspected
                Thread.sleep(4_000); // four canary rounds
                assertThat(relay.stderr()).doesNotContain("-> SUSPECT").doesNotContain("may not have been delivered");
                assertThat(http.body("/status").replaceAll("\\s", ""))
                        .contains("\"node\":\"" + topology.replica().address() + "\",\"state\":\"OK\"");

                RedisServerProcess frozen = topology.master();
                String frozenAddress = frozen.address();
                HostAndPort before = topology.currentMaster();
                int brokenFrom;
                int brokenTo;
                frozen.pause();
                try {
                    http.awaitStatus("/health/ready", 503, WAIT);
                    brokenFrom = heartbeats.size() + 1; // a ping already in flight may still be a success
                    relay.awaitStderr(line -> line.contains("canaries cannot be published on " + frozenAddress), WAIT);
                    HostAndPort promoted = topology.awaitFailover(WAIT);
                    assertThat(promoted).isNotEqualTo(before);
                    http.awaitStatus("/health/ready", 200, WAIT);
                    brokenTo = Math.max(brokenFrom, heartbeats.size() - 1); // the last may already be the recovery's
                } finally {
                    frozen.resume();
                }

                // a frozen master is no reason to suspect any subscription: no SUSPECT, no resubscribe, no blind window
                assertThat(relay.stderr()).doesNotContain("-> SUSPECT").doesNotContain("may not have been delivered")
                        .doesNotContain("make-before-break (watchdog");
                // the dead man's switch: no success ping while the relay was not ready (a /fail, or nothing), and
                // pings again once it is (the deterministic /fail case is BrokenSlackReportedByEmailIT's)
                assertThat(heartbeats.subList(brokenFrom, brokenTo)).as("heartbeats while not ready")
                        .doesNotContain("/ping/check-1");
                heartbeat.await("/ping/check-1", heartbeats.size(), WAIT);

                // and alerts flow again, from the new master
                HostAndPort master = topology.currentMaster();
                try (Publisher publisher = new Publisher(master.host(), master.port())) {
                    publisher.publish("alerts:prod", "{\"title\":\"after the freeze\",\"severity\":\"critical\"}");
                }
                assertThat(slack.awaitText("after the freeze", WAIT).path("text").asText()).contains("after the freeze");
                assertThat(http.body("/status")).contains("\"blindWindows\"").doesNotContain("may not have been delivered")
                        .contains("\"publishing\"");
                // the per-node gauge is refreshed every second and a node's role label follows the reconcile (5 s),
                // so poll for it rather than read it once
                String promotedVerified = "alertrelay_subscription_node_state{node=\"" + master + "\",role=\"master\","
                        + "state=\"VERIFIED\"} 1.0";
                long metricsDeadline = System.nanoTime() + WAIT.toNanos();
                while (!http.body("/metrics").contains(promotedVerified) && System.nanoTime() < metricsDeadline) {
                    Thread.sleep(200);
                }
                assertThat(http.body("/metrics")).contains("alertrelay_blind_windows 0.0")
                        .contains("alertrelay_canary_suspect_nodes 0.0")
                        .contains("alertrelay_canary_resubscribe_requests 0.0")
                        .contains(promotedVerified)
                        .contains("alertrelay_subscription_node_state{node=\"" + before);
                // listable from the CLI
                RelayProcess cli = RelayProcess.start(dir.resolve("cli"), Map.of(), "blind-windows", "--url",
                        "http://127.0.0.1:" + http.port());
                assertThat(cli.awaitExit(WAIT)).isZero();
                assertThat(cli.stdout()).contains("0 blind window(s)");
                assertThat(relay.stderr()).doesNotContain("SECRETTOKEN").doesNotContain("/ping/check-1");
            }
        }
    }
}
