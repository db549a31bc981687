package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.testing.Alerts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class SinkHealthTest {
    @Test
    void failsAfterConsecutiveUndeliveredAlertsAndRecoversOnTheNextDelivery() {
        List<String> events = new ArrayList<>();
        SinkHealth health = new SinkHealth(3, (sink, detail) -> events.add("failed " + sink + ": " + detail),
                (sink, detail) -> events.add("recovered " + sink));
        health.onOutcome("slack", Alerts.alert("a", "a"), DeliveryResult.rejected("invalid_token"));
        health.onOutcome("slack", Alerts.alert("b", "b"), DeliveryResult.retryable("HTTP 503"));
        health.onOutcome("mail", Alerts.alert("c", "c"), DeliveryResult.rejected("550"));
        assertThat(events).isEmpty();
        health.onOutcome("slack", Alerts.alert("d", "d"), DeliveryResult.rejected("invalid_token"));
        health.onOutcome("slack", Alerts.alert("e", "e"), DeliveryResult.rejected("invalid_token"));
        assertThat(events).containsExactly("failed slack: invalid_token");
        assertThat(health.failed()).containsExactly("slack");
        health.onOutcome("slack", Alerts.alert("f", "f"), DeliveryResult.delivered());
        assertThat(events).containsExactly("failed slack: invalid_token", "recovered slack");
        assertThat(health.failed()).isEmpty();
    }

    @Test
    void aDeliveryInBetweenResetsTheCount() {
        List<String> events = new ArrayList<>();
        SinkHealth health = new SinkHealth(2, (sink, detail) -> events.add("failed"), (sink, detail) -> events.add("ok"));
        health.onOutcome("s", Alerts.alert("a", "a"), DeliveryResult.rejected("x"));
        health.onOutcome("s", Alerts.alert("b", "b"), DeliveryResult.delivered());
        health.onOutcome("s", Alerts.alert("c", "c"), DeliveryResult.rejected("x"));
        assertThat(events).isEmpty();
    }
}
