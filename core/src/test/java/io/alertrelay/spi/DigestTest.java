package io.alertrelay.spi;

import static io.alertrelay.testing.Alerts.alert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DigestTest {
    @Test
    void oneAlertIsItself() {
        Alert only = alert("a", "Disk full on db-1");
        assertThat(Digest.of(List.of(only))).isSameAs(only);
    }

    @Test
    void severalBecomeOneNamingTheFirstAndCountingTheRest() {
        Alert disk = alert("a", "Disk full on db-1", Severity.WARNING, Map.of("team", "storage", "host", "db-1"));
        Alert cpu = alert("b", "CPU hot on db-2", Severity.CRITICAL, Map.of("team", "storage", "host", "db-2"));
        Alert digest = Digest.of(List.of(disk, cpu));

        assertThat(digest.title()).isEqualTo("Disk full on db-1 … and 1 more");
        assertThat(digest.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(digest.labels()).containsExactly(Map.entry("team", "storage"));
        assertThat(digest.summary()).hasValue(
                "[warning] Disk full on db-1 (firing)\n[critical] CPU hot on db-2 (firing)");
        assertThat(digest.extra()).containsEntry("digest-count", 2).containsEntry("digest-ids", List.of("a", "b"));
    }

    @Test
    void beyondTheListedLimitTheRestIsCountedNotDropped() {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            alerts.add(alert("id-" + i, "Host " + i + " down"));
        }
        Alert digest = Digest.of(alerts);

        assertThat(digest.title()).isEqualTo("Host 0 down … and 999 more");
        assertThat(digest.summary().orElseThrow().lines()).hasSize(Digest.LISTED_LIMIT + 1);
        assertThat(digest.summary().orElseThrow()).endsWith("… and 950 more not listed");
        assertThat(digest.extra()).containsEntry("digest-count", 1000);
    }

    @Test
    void theDefaultDeliverAllSendsOneDigestThroughDeliver() {
        List<Alert> seen = new ArrayList<>();
        Sink sink = alert -> {
            seen.add(alert);
            return DeliveryResult.delivered();
        };
        sink.deliverAll(List.of(alert("a", "one"), alert("b", "two"), alert("c", "three")));

        assertThat(seen).singleElement().satisfies(d -> assertThat(d.title()).isEqualTo("one … and 2 more"));
        assertThatThrownBy(() -> sink.deliverAll(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(sink.target(alert("a", "one"))).isEmpty();
    }
}
