package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, rate shaping: a Slack stand-in that allows one message per second per channel (429 + Retry-After beyond);
 * 1,000 alerts for one channel published within one second arrive as digests that together name all 1,000 (each
 * listed, or counted in "… and N more"), within 60 s, with at most one 429 per channel, while another channel (its own
 * sink) gets its alerts meanwhile.
 */
@RequiresRedisServer
final class SlackRateShapingIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BURST = 1_000;
    private static final Pattern LISTED = Pattern.compile("^• \\[[a-z]+\\] (burst-\\d+) disk full \\(firing\\)$");
    private static final Pattern MORE = Pattern.compile("^… and (\\d+) more$");
    private static final Pattern SINGLE = Pattern.compile("^\\[FIRING\\] (burst-\\d+) disk full$");

    @TempDir
    Path dir;

    @Test
    void aThousandAlertsForOneChannelArriveAsDigestsNamingAllWhileAnotherChannelFlows() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             SlackApiStandIn slack = new SlackApiStandIn().enforceRate();
             RelayProcess relay = RelayProcess.startWithConfig(dir, """
                     redis:
                       url: redis://127.0.0.1:%d
                     subscriptions:
                       - pattern: "alerts:*"
                     sinks:
                       burst-slack:
                         type: slack
                         token: ${SLACK_BOT_TOKEN}
                         channel: C0BURST
                         api-url: %s
                         rate: { per-second: 1, burst: 3 }
                       other-slack:
                         type: slack
                         token: ${SLACK_BOT_TOKEN}
                         channel: C0OTHER
                         api-url: %s
                     routes:
                       - match: { channel: "alerts:burst" }
                         sinks: [burst-slack]
                       - match: { channel: "alerts:other" }
                         sinks: [other-slack]
                     delivery: { dir: %s }
                     http: {port: 0}
                     """.formatted(redis.port(), slack.apiUrl(), slack.apiUrl(), dir.resolve("data")),
                     Map.of("SLACK_BOT_TOKEN", SlackApiStandIn.TOKEN));
             Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
            relay.awaitStderr(line -> line.contains("-> VERIFIED"), Duration.ofSeconds(20));

            List<List<String>> parts = new ArrayList<>();
            for (int part = 0; part < 4; part++) {
                List<String> burst = new ArrayList<>();
                for (int i = part * BURST / 4; i < (part + 1) * BURST / 4; i++) {
                    burst.add("{\"id\":\"burst-" + i + "\",\"title\":\"burst-" + i
                            + " disk full\",\"severity\":\"warning\"}");
                }
                parts.add(burst);
            }
            publisher.publishAll("warm-up", List.of("1", "2", "3")); // the publisher's pipeline, loaded before timing
            long started = System.nanoTime();
            for (int part = 0; part < 4; part++) {
                publisher.publishAll("alerts:burst", parts.get(part));
                int other = part * BURST / 4;
                publisher.publish("alerts:other", "{\"id\":\"other-" + other + "\",\"title\":\"other-" + other
                        + " replica lag\"}");
            }
            Duration publishing = Duration.ofNanos(System.nanoTime() - started);
            assertThat(publishing).as("published within one second").isLessThan(Duration.ofSeconds(1));

            slack.await(calls -> named(calls) >= BURST, WAIT, "all " + BURST + " burst alerts named");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            List<SlackApiStandIn.Call> calls = slack.calls();
            assertThat(named(calls)).as("every alert listed or counted, none twice").isEqualTo(BURST);
            assertThat(took).isLessThan(WAIT);
            System.err.printf("SlackRateShapingIT: %d alerts named in %d ms by %d message(s) to C0BURST, %d answered "
                    + "429%n", BURST, took.toMillis(), calls.stream().filter(call -> call.channel().equals("C0BURST")
                    && call.status() == 200).count(), calls.stream().filter(call -> call.channel().equals("C0BURST")
                    && call.status() == 429).count());

            List<SlackApiStandIn.Call> burst = calls.stream().filter(call -> call.channel().equals("C0BURST")).toList();
            assertThat(burst.stream().filter(call -> call.status() == 429).count()).as("429s in the burst channel")
                    .isLessThanOrEqualTo(1);
            assertThat(burst.stream().filter(call -> call.status() == 200).count())
                    .as("a few messages, not a thousand").isLessThan(15);

            List<SlackApiStandIn.Call> other = calls.stream().filter(call -> call.channel().equals("C0OTHER")).toList();
            slack.await(all -> otherNamed(all).size() == 4, Duration.ofSeconds(10), "the other channel's 4 alerts");
            other = slack.calls().stream().filter(call -> call.channel().equals("C0OTHER")).toList();
            assertThat(other.stream().filter(call -> call.status() == 429).count()).isLessThanOrEqualTo(1);
            Set<String> otherAlerts = otherNamed(other);
            assertThat(otherAlerts).as("the other channel got all of its alerts")
                    .containsExactlyInAnyOrder("other-0", "other-250", "other-500", "other-750");
            long lastBurst = burst.stream().filter(call -> call.status() == 200)
                    .mapToLong(SlackApiStandIn.Call::atNanos).max().orElseThrow();
            long firstOther = other.stream().filter(call -> call.status() == 200)
                    .mapToLong(SlackApiStandIn.Call::atNanos).min().orElseThrow();
            assertThat(firstOther).as("the other channel flowed while the burst channel was paced").isLessThan(lastBurst);
            assertThat(relay.stderr()).doesNotContain(SlackApiStandIn.TOKEN);
        }
    }

    private static Set<String> otherNamed(List<SlackApiStandIn.Call> calls) {
        Set<String> otherAlerts = new HashSet<>();
        calls.stream().filter(call -> call.channel().equals("C0OTHER") && call.status() == 200).forEach(call -> {
            Matcher matcher = Pattern.compile("other-\\d+").matcher(call.body().toString());
            while (matcher.find()) {
                otherAlerts.add(matcher.group());
            }
        });
        return otherAlerts;
    }

    /**
     * How many burst alerts the accepted messages name: per message, each alert listed on a digest line, plus the
     * digest's "… and N more", or the single alert of a message of one. Fails if an alert is listed twice.
     */
    private static int named(List<SlackApiStandIn.Call> calls) {
        Set<String> listed = new HashSet<>();
        int counted = 0;
        List<String> twice = new ArrayList<>();
        for (SlackApiStandIn.Call call : calls) {
            if (!call.method().equals("chat.postMessage") || call.status() != 200
                    || !call.channel().equals("C0BURST")) {
                continue;
            }
            JsonNode blocks = call.body().path("attachments").path(0).path("blocks");
            boolean digest = false;
            for (JsonNode block : blocks) {
                if (!block.path("type").asText().equals("section")) {
                    continue;
                }
                for (String line : block.path("text").path("text").asText().split("\n")) {
                    Matcher item = LISTED.matcher(line);
                    Matcher more = MORE.matcher(line);
                    if (item.matches()) {
                        digest = true;
                        if (!listed.add(item.group(1))) {
                            twice.add(item.group(1));
                        }
                    } else if (more.matches()) {
                        digest = true;
                        counted += Integer.parseInt(more.group(1));
                    }
                }
            }
            if (!digest) {
                Matcher single = SINGLE.matcher(blocks.path(0).path("text").path("text").asText());
                if (single.matches() && !listed.add(single.group(1))) {
                    twice.add(single.group(1));
                }
            }
        }
        assertThat(twice).as("alerts named twice").isEmpty();
        return listed.size() + counted;
    }
}
