package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class EventDecoderTest {
    private static final Instant NOW = Instant.parse("2026-11-24T05:00:00Z");
    private final EventDecoder decoder = new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE);

    private static InboundMessage message(String channel, String payload) {
        return new InboundMessage(channel, Optional.of("alerts:*"), payload, "127.0.0.1:6379", NOW);
    }

    private Alert decoded(String payload) {
        EventDecoder.Result result = decoder.decode(message("alerts:prod", payload));
        assertThat(result).isInstanceOf(EventDecoder.Decoded.class);
        return ((EventDecoder.Decoded) result).alert();
    }

    private Rejection rejected(String payload) {
        EventDecoder.Result result = decoder.decode(message("alerts:prod", payload));
        assertThat(result).isInstanceOf(EventDecoder.Rejected.class);
        return ((EventDecoder.Rejected) result).rejection();
    }

    @Test
    void decodesTheContractExample() {
        Alert alert = decoded("""
                {"id":"evt-42","title":"Disk full on db-1","status":"firing","severity":"critical",
                 "summary":"/var at 97%","labels":{"host":"db-1","team":"storage"},"source":"monitor-7",
                 "timestamp":"2026-11-23T10:00:00Z","runbook":"https://wiki/disk","count":3}""");
        assertThat(alert.id()).isEqualTo("evt-42");
        assertThat(alert.title()).isEqualTo("Disk full on db-1");
        assertThat(alert.status()).isEqualTo(Status.FIRING);
        assertThat(alert.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(alert.summary()).contains("/var at 97%");
        assertThat(alert.labels()).containsExactly(Map.entry("host", "db-1"), Map.entry("team", "storage"));
        assertThat(alert.source()).contains("monitor-7");
        assertThat(alert.timestamp()).contains(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(alert.extra()).containsEntry("runbook", "https://wiki/disk").containsEntry("count", 3);
        assertThat(alert.origin().channel()).isEqualTo("alerts:prod");
        assertThat(alert.origin().pattern()).contains("alerts:*");
        assertThat(alert.origin().receivedAt()).isEqualTo(NOW);
    }

    @Test
    void extraFieldsBecomePlainJdkValuesAsJacksonWouldConvertThem() throws Exception {
        String payload = """
                {"title":"t","n":{"a":[1,2.5,"x",true,null,{"b":12345678901234}],"c":{}},"big":123456789012345678901,
                 "f":false,"z":null,"s":"text"}""";
        Alert alert = decoded(payload);
        Map<String, Object> expected = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(payload), Map.class);
        expected.remove("title");
        assertThat(alert.extra()).isEqualTo(expected);
        assertThat(alert.extra().keySet()).containsExactly("n", "big", "f", "z", "s");
        assertThat(((Map<?, ?>) alert.extra().get("n")).get("a")).asList()
                .containsExactly(1, 2.5, "x", true, null, Map.of("b", 12345678901234L));
        assertThat(alert.extra().get("big")).isEqualTo(new java.math.BigInteger("123456789012345678901"));
    }

    @Test
    void appliesDefaults() {
        Alert alert = decoded("{\"title\":\"hello\"}");
        assertThat(alert.status()).isEqualTo(Status.FIRING);
        assertThat(alert.severity()).isEqualTo(Severity.WARNING);
        assertThat(alert.labels()).isEmpty();
        assertThat(alert.summary()).isEmpty();
        assertThat(alert.id()).startsWith("h-").hasSize(22);
    }

    @Test
    void defaultIdIsStableAndDependsOnChannelAndPayload() {
        String payload = "{\"title\":\"hello\"}";
        String first = ((EventDecoder.Decoded) decoder.decode(message("alerts:a", payload))).alert().id();
        String again = ((EventDecoder.Decoded) decoder.decode(message("alerts:a", payload))).alert().id();
        String otherChannel = ((EventDecoder.Decoded) decoder.decode(message("alerts:b", payload))).alert().id();
        String otherPayload = ((EventDecoder.Decoded) decoder.decode(message("alerts:a", "{\"title\":\"hi\"}"))).alert().id();
        assertThat(again).isEqualTo(first);
        assertThat(otherChannel).isNotEqualTo(first);
        assertThat(otherPayload).isNotEqualTo(first);
    }

    @Test
    void keepsResolvedAndEverySeverity() {
        assertThat(decoded("{\"title\":\"t\",\"status\":\"resolved\"}").status()).isEqualTo(Status.RESOLVED);
        for (String severity : List.of("critical", "error", "warning", "info")) {
            assertThat(decoded("{\"title\":\"t\",\"severity\":\"" + severity + "\"}").severity().wireName())
                    .isEqualTo(severity);
        }
    }

    @Test
    void rejectsWhatIsNotJson() {
        Rejection rejection = rejected("hello world");
        assertThat(rejection.reason()).isEqualTo(Rejection.NOT_JSON);
        assertThat(rejection.channel()).isEqualTo("alerts:prod");
        assertThat(rejection.excerpt()).isEqualTo("hello world");
        assertThat(rejected("[1,2]").reason()).isEqualTo(Rejection.NOT_JSON);
        assertThat(rejected("{\"title\":\"a\"} trailing").reason()).isEqualTo(Rejection.NOT_JSON);
        assertThat(rejected("").reason()).isEqualTo(Rejection.NOT_JSON);
    }

    @Test
    void rejectsAMissingOrBlankTitle() {
        assertThat(rejected("{\"severity\":\"critical\"}").reason()).isEqualTo(Rejection.MISSING_TITLE);
        assertThat(rejected("{\"title\":\"  \"}").reason()).isEqualTo(Rejection.MISSING_TITLE);
        assertThat(rejected("{\"title\":null}").reason()).isEqualTo(Rejection.MISSING_TITLE);
    }

    @Test
    void rejectsWrongTypesNamingTheField() {
        assertThat(rejected("{\"title\":42}").detail()).contains("'title'").contains("string");
        assertThat(rejected("{\"title\":\"t\",\"severity\":\"urgent\"}").detail()).contains("'severity'");
        assertThat(rejected("{\"title\":\"t\",\"status\":\"open\"}").detail()).contains("'status'");
        assertThat(rejected("{\"title\":\"t\",\"labels\":[1]}").detail()).contains("'labels'");
        assertThat(rejected("{\"title\":\"t\",\"labels\":{\"a\":{\"b\":1}}}").detail()).contains("label 'a'");
        assertThat(rejected("{\"title\":\"t\",\"timestamp\":\"yesterday\"}").detail()).contains("'timestamp'");
        assertThat(rejected("{\"title\":\"t\",\"severity\":\"urgent\"}").reason()).isEqualTo(Rejection.WRONG_TYPE);
    }

    @Test
    void rejectsPayloadsOverTheSizeLimitWithoutParsingThem() {
        String big = "{\"title\":\"" + "x".repeat(1024 * 1024) + "\"}";
        Rejection rejection = rejected(big);
        assertThat(rejection.reason()).isEqualTo(Rejection.TOO_LARGE);
        assertThat(rejection.size()).isEqualTo(big.length());
        assertThat(rejection.excerpt()).hasSizeLessThanOrEqualTo(EventDecoder.EXCERPT_LENGTH + 1);
    }

    @Test
    void countsTheLimitInUtf8Bytes() {
        EventDecoder small = new EventDecoder(20);
        String payload = "{\"title\":\"ééééé\"}"; // 17 chars, 22 bytes
        EventDecoder.Result result = small.decode(message("c", payload));
        assertThat(result).isInstanceOf(EventDecoder.Rejected.class);
        assertThat(((EventDecoder.Rejected) result).rejection().size()).isEqualTo(22);
    }

    @Test
    void excerptKeepsALogLineOnOneLine() {
        assertThat(EventDecoder.excerpt("a\nb\rc\td\u0001")).isEqualTo("a\\nb\\rc\\td\\u0001");
    }
}
