package io.alertrelay.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.Alerts;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class RecordCodecTest {
    @Test
    void aNotificationRoundTripsWithEveryField() throws Exception {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("runbook", "https://wiki/runbooks/disk");
        extra.put("value", 97);
        extra.put("ratio", 0.97);
        extra.put("flags", List.of(true, "x"));
        extra.put("nested", Map.of("a", "b"));
        extra.put("nothing", null);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("z", "last");
        labels.put("a", "first \"quoted\" \u00e9\n");
        Alert alert = new Alert("evt-1", "Disk full \u2014 db-1", Status.RESOLVED, Severity.ERROR,
                Optional.of("/var at 97%"), labels, Optional.of("monitor-7"),
                Optional.of(Instant.parse("2026-11-23T10:00:00Z")), extra,
                new Alert.Origin("alerts:prod", Optional.of("alerts:*"), Instant.parse("2026-11-23T10:00:01.5Z")));
        Notification notification = new Notification(42, "ops", alert, Instant.parse("2026-11-27T10:00:00Z"));
        Notification back = RecordCodec.pending(42, RecordCodec.pending(notification));
        assertThat(back).isEqualTo(notification);
        assertThat(back.alert().labels().keySet()).containsExactly("z", "a");
        assertThat(back.alert().extra()).containsEntry("nothing", null).containsEntry("value", 97);

        Alert minimal = Alerts.alert("a-1", "t");
        Alert noPattern = new Alert(minimal.id(), minimal.title(), minimal.status(), minimal.severity(),
                Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Map.of(),
                new Alert.Origin("alerts:x", Optional.empty(), Instant.parse("2026-11-23T10:00:00Z")));
        Notification plain = new Notification(1, "ops", noPattern, Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(RecordCodec.pending(1, RecordCodec.pending(plain))).isEqualTo(plain);
        assertThat(new String(RecordCodec.pending(plain), java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("{\"v\":1,\"sink\":\"ops\"");
        assertThat(Arrays.equals(RecordCodec.pending(plain), RecordCodec.pending(plain))).isTrue();
    }

    @Test
    void aGroupNotificationKeepsEveryAlertAndARecordWrittenBeforeGroupsStillReads() throws Exception {
        List<Alert> alerts = List.of(Alerts.alert("a-1", "db-1 down"), Alerts.alert("a-2", "db-2 down"));
        Notification group = Notification.of(7, "ops", alerts, Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(group.alert().title()).isEqualTo("db-1 down … and 1 more");
        Notification back = RecordCodec.pending(7, RecordCodec.pending(group));
        assertThat(back).isEqualTo(group);
        assertThat(back.alerts()).extracting(Alert::id).containsExactly("a-1", "a-2");

        String before = "{\"v\":1,\"sink\":\"ops\",\"createdAt\":\"2026-11-27T10:00:00Z\",\"alert\":{\"id\":\"old-1\","
                + "\"title\":\"Disk full\",\"status\":\"firing\",\"severity\":\"warning\",\"labels\":{},\"extra\":{},"
                + "\"origin\":{\"channel\":\"alerts:prod\",\"receivedAt\":\"2026-11-27T09:59:59Z\"}}}";
        Notification old = RecordCodec.pending(3, before.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(old.alerts()).singleElement().satisfies(alert -> assertThat(alert.id()).isEqualTo("old-1"));
        assertThat(old.alert().id()).isEqualTo("old-1");
    }
}
