package io.alertrelay.spi;

import static io.alertrelay.testing.Alerts.alert;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FingerprintTest {
    @Test
    void theEventsOwnFingerprintWins() {
        Alert alert = with(alert("a", "Disk full"), Map.of("fingerprint", "disk-db-1"), Status.FIRING);
        assertThat(Fingerprint.of(alert)).isEqualTo("disk-db-1");
    }

    @Test
    void otherwiseChannelTitleAndLabelsDecideIndependentOfLabelOrderStatusAndId() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        Alert firing = alert("id-1", "Disk full", Severity.WARNING, ab);
        Alert resolvedElsewhereOrdered = with(alert("id-2", "Disk full", Severity.CRITICAL, ba), Map.of(),
                Status.RESOLVED);

        assertThat(Fingerprint.of(firing)).startsWith("f-").hasSize(34)
                .isEqualTo(Fingerprint.of(resolvedElsewhereOrdered));
        assertThat(Fingerprint.of(alert("id-1", "Disk full", Severity.WARNING, Map.of("a", "1"))))
                .isNotEqualTo(Fingerprint.of(firing));
        assertThat(Fingerprint.of(alert("id-1", "Disk ful", Severity.WARNING, ab)))
                .isNotEqualTo(Fingerprint.of(firing));
    }

    @Test
    void aBlankFingerprintFieldIsIgnored() {
        Alert plain = alert("a", "Disk full");
        assertThat(Fingerprint.of(with(plain, Map.of("fingerprint", " "), Status.FIRING)))
                .isEqualTo(Fingerprint.of(plain));
    }

    private static Alert with(Alert alert, Map<String, Object> extra, Status status) {
        return new Alert(alert.id(), alert.title(), status, alert.severity(), Optional.empty(), alert.labels(),
                Optional.empty(), Optional.empty(), extra,
                new Alert.Origin(alert.origin().channel(), Optional.empty(), Instant.EPOCH));
    }
}
