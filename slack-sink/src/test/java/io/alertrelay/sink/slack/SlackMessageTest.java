package io.alertrelay.sink.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.sink.slack.SlackMessage.Block;
import io.alertrelay.sink.slack.SlackMessage.Text;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.Alerts;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlackMessageTest {
    private static final SlackSinkConfig CONFIG = new SlackSinkConfig(URI.create("https://hooks.slack.com/x"),
            Duration.ofSeconds(10), Duration.ofSeconds(5), Optional.empty(), Optional.empty(), Optional.empty());

    private static Alert alert(String title, Status status, Optional<String> summary, Map<String, String> labels) {
        return new Alert("evt-1", title, status, Severity.ERROR, summary, labels, Optional.empty(), Optional.empty(),
                Map.of(), new Alert.Origin("alerts:prod", Optional.empty(), Instant.parse("2026-11-23T10:00:00Z")));
    }

    private static String header(SlackMessage message) {
        return message.blocks().get(0).text().text();
    }

    private static List<String> fields(SlackMessage message) {
        return message.blocks().get(1).fields().stream().map(Text::text).toList();
    }

    @Test
    void serializesOnlyWhatIsSet() throws Exception {
        String json = new ObjectMapper().writeValueAsString(SlackMessage.from(Alerts.alert("a-1", "Hi"), CONFIG));

        assertThat(json).isEqualTo("{\"text\":\"[FIRING] [warning] Hi\",\"blocks\":["
                + "{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":\"[FIRING] Hi\",\"emoji\":true}},"
                + "{\"type\":\"section\",\"fields\":["
                + "{\"type\":\"mrkdwn\",\"text\":\"*Severity*\\nwarning\",\"verbatim\":true},"
                + "{\"type\":\"mrkdwn\",\"text\":\"*Channel*\\nalerts:test\",\"verbatim\":true}]},"
                + "{\"type\":\"context\",\"elements\":["
                + "{\"type\":\"mrkdwn\",\"text\":\"id a-1 | received 2026-11-23T10:00:00Z\",\"verbatim\":true}]}]}");
    }

    @Test
    void resolvedAlertsSayResolved() {
        SlackMessage message = SlackMessage.from(alert("Disk ok", Status.RESOLVED, Optional.empty(), Map.of()), CONFIG);

        assertThat(message.text()).isEqualTo("[RESOLVED] [error] Disk ok");
        assertThat(header(message)).isEqualTo("[RESOLVED] Disk ok");
        assertThat(message.blocks()).extracting(Block::type).containsExactly("header", "section", "context");
    }

    @Test
    void headerIsCutTo150WithEllipsis() {
        SlackMessage message = SlackMessage.from(alert("a".repeat(300), Status.FIRING, Optional.empty(), Map.of()),
                CONFIG);

        assertThat(header(message)).hasSize(150).startsWith("[FIRING] aaa").endsWith("aa…");
        assertThat(message.text()).startsWith("[FIRING] [error] aaa").hasSize(17 + 300);
    }

    @Test
    void cuttingNeverSplitsAnEntityOrASurrogatePair() {
        assertThat(SlackMessage.fit("&".repeat(100), 13)).isEqualTo("&amp;&amp;…");
        assertThat(SlackMessage.fit("<<<", 15)).isEqualTo("&lt;&lt;&lt;");
        assertThat(SlackMessage.fit("<<<<", 15)).isEqualTo("&lt;&lt;&lt;…");
        assertThat(SlackMessage.fit("\uD83D\uDE00".repeat(10), 4)).isEqualTo("\uD83D\uDE00…");
        assertThat(SlackMessage.fit("abc", 3)).isEqualTo("abc");
        assertThat(SlackMessage.fit("abcd", 3)).isEqualTo("ab…");

        SlackMessage message = SlackMessage.from(alert("&".repeat(200), Status.FIRING, Optional.empty(), Map.of()),
                CONFIG);
        assertThat(header(message)).matches("\\[FIRING\\] (&amp;)+…").hasSizeLessThanOrEqualTo(150);
    }

    @Test
    void lineBreaksInOneLineTextsBecomeSpaces() {
        SlackMessage message = SlackMessage.from(alert("Disk\r\nfull\u0007", Status.FIRING,
                Optional.of("line 1\nline 2\u0000"), Map.of("k\ney", "v\nalue")), CONFIG);

        assertThat(header(message)).isEqualTo("[FIRING] Disk  full ");
        assertThat(message.blocks().get(2).text().text()).isEqualTo("line 1\nline 2");
        assertThat(fields(message)).contains("*k ey*\nv\nalue");
    }

    @Test
    void atMostTenFieldsTheLastListingTheRemainingLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 1; i <= 15; i++) {
            labels.put("k" + i, "v" + i);
        }
        SlackMessage message = SlackMessage.from(alert("Many", Status.FIRING, Optional.empty(), labels), CONFIG);

        List<String> fields = fields(message);
        assertThat(fields).hasSize(SlackMessage.MAX_FIELDS);
        assertThat(fields.subList(0, 3)).containsExactly("*Severity*\nerror", "*Channel*\nalerts:prod", "*k1*\nv1");
        assertThat(fields.get(8)).isEqualTo("*k7*\nv7");
        assertThat(fields.get(9)).isEqualTo("*More labels*\n"
                + "k8=v8\nk9=v9\nk10=v10\nk11=v11\nk12=v12\nk13=v13\nk14=v14\nk15=v15");
    }

    @Test
    void exactlyTenFieldsNeedNoOverflowField() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 1; i <= 8; i++) {
            labels.put("k" + i, "v" + i);
        }
        List<String> fields = fields(SlackMessage.from(alert("Ten", Status.FIRING, Optional.empty(), labels), CONFIG));

        assertThat(fields).hasSize(10).endsWith("*k8*\nv8");
    }

    @Test
    void longValuesAreCutToSlacksLimits() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("big", "<".repeat(5000));
        labels.put("k".repeat(500), "v");
        SlackMessage message = SlackMessage.from(alert("T", Status.FIRING, Optional.of("s".repeat(5000)), labels),
                CONFIG);

        List<String> fields = fields(message);
        assertThat(fields.get(2)).startsWith("*big*\n&lt;&lt;").endsWith("&lt;…")
                .hasSizeLessThanOrEqualTo(SlackMessage.MAX_FIELD_TEXT);
        assertThat(fields.get(3)).hasSize(1 + SlackMessage.MAX_NAME + 2 + 1).endsWith("k…*\nv");
        assertThat(message.blocks().get(2).text().text()).hasSize(SlackMessage.MAX_SECTION_TEXT).endsWith("s…");
    }

    @Test
    void overflowFieldIsCutToo() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 1; i <= 20; i++) {
            labels.put("k" + i, "x".repeat(300));
        }
        List<String> fields = fields(SlackMessage.from(alert("T", Status.FIRING, Optional.empty(), labels), CONFIG));

        assertThat(fields).hasSize(10);
        assertThat(fields.get(9)).startsWith("*More labels*\nk8=xxx").endsWith("…")
                .hasSize(SlackMessage.MAX_FIELD_TEXT);
    }
}
