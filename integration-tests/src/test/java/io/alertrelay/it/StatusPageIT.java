package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.testing.redis.RequiresRedisServer;
import io.alertrelay.testing.redis.SentinelTopology;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 6: the status page at {@code /}, loaded by a real headless browser (Debian's {@code chromium}, which
 * {@code .ci/run} installs when missing) from the running jar on a Sentinel-managed master and replica. The DOM
 * dumped after the page's script ran must hold a row per Redis node that {@code /status} lists and a canary plot with
 * points; the screenshot is saved as {@code target/status-page.png}.
 */
@RequiresRedisServer
final class StatusPageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theBrowserShowsARowPerRedisNodeAndACanaryPlotWithPoints() throws Exception {
        String chromium = chromium();
        try (SentinelTopology topology = SentinelTopology.start()) {
            try (RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), """
                    redis:
                      sentinel:
                        master: mymaster
                        nodes: [%s]
                    subscriptions:
                      - pattern: "alerts:*"
                    sinks:
                      console:
                        type: console
                    watchdog:
                      canary: {interval: 1s}
                      expect:
                        - channel: "alerts:billing"
                          at-least: 1
                          per: 10m
                    http: {port: 0}
                    """.formatted(RelayProcess.yamlList(topology.sentinelAddresses())), Map.of())) {
                HttpProbe http = new HttpProbe(relay);
                http.awaitStatus("/health/ready", 200, WAIT);
                try (Publisher publisher = new Publisher(topology.currentMaster().host(),
                        topology.currentMaster().port())) {
                    for (int i = 0; i < 5; i++) {
                        publisher.publish("alerts:prod", "{\"title\":\"disk full on db-" + i + "\"}");
                    }
                }
                List<String> nodes = new ArrayList<>();
                JSON.readTree(http.body("/status")).path("redis").path("nodes")
                        .forEach(node -> nodes.add(node.path("node").asText()));
                assertThat(nodes).as("/status lists master and replica").hasSize(2);
                awaitCanaryPoints(http, 3);

                String url = "http://127.0.0.1:" + http.port() + "/";
                String dom = run(chromium, "--dump-dom", url);
                assertThat(dom).as("the page's script ran").contains("data-loaded=\"true\"");
                assertThat(count(dom, "<tr class=\"node-row\"")).isEqualTo(nodes.size());
                for (String node : nodes) {
                    assertThat(dom).contains("data-node=\"" + node + "\"");
                }
                assertThat(count(dom, "class=\"point\"")).as("canary points in the plot").isGreaterThanOrEqualTo(3);
                assertThat(dom).contains("data-stream=\"alerts:prod\"").contains("data-sink=\"console\"")
                        .contains("No blind window in the last hour");

                Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
                Files.deleteIfExists(screenshot);
                run(chromium, "--screenshot=" + screenshot, "--window-size=1280,1200", url);
                byte[] png = Files.readAllBytes(screenshot);
                assertThat(png.length).as("screenshot size").isGreaterThan(20_000);
                assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
            }
        }
    }

    private static void awaitCanaryPoints(HttpProbe http, int points) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode rtt = JSON.readTree(http.body("/status/history")).path("groups").path("canaryRoundTripMillis");
            int seen = 0;
            for (JsonNode series : rtt) {
                seen += series.size();
            }
            if (seen >= points) {
                return;
            }
            assertThat(System.nanoTime()).as("%d canary points in /status/history", points).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    /** Runs headless chromium on {@code url}; its stdout. Virtual time lets the page's fetches and script finish. */
    private String run(String chromium, String mode, String url) throws Exception {
        return run(chromium, mode, null, url);
    }

    private String run(String chromium, String mode, String extra, String url) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--virtual-time-budget=10000", mode));
        if (extra != null) {
            command.add(extra);
        }
        command.add(url);
        Path out = dir.resolve("chromium.out");
        Path err = dir.resolve("chromium.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within 90 s: " + Files.readString(err));
        }
        assertThat(process.exitValue()).as("chromium exit; stderr: %s", Files.readString(err)).isZero();
        return Files.readString(out);
    }

    private static String chromium() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new AssertionError("chromium is not installed: apt-get install -y chromium (.ci/run installs it when "
                + "missing)");
    }
}
