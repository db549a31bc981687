package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class StreamSubscriptionTest {
    private static StreamSubscription read(Map<String, Object> entry) {
        return StreamSubscription.from(
                TreeConfigView.root(Map.of("subscriptions", List.of(entry))).sectionList("subscriptions").get(0));
    }

    @Test
    void theIssuesShapeWithDefaults() {
        StreamSubscription sub = read(Map.of("stream", "alerts:stream", "group", "alert-relay", "field", "event"));
        assertThat(sub).isEqualTo(StreamSubscription.of("alerts:stream"));
        assertThat(sub.group()).isEqualTo("alert-relay");
        assertThat(sub.field()).isEqualTo("event");
        assertThat(sub.start()).isEqualTo("$");
        assertThat(sub.claimIdle()).isEqualTo(Duration.ofSeconds(60));
        assertThat(sub.batchSize()).isEqualTo(100);
        assertThat(sub.block()).isEqualTo(Duration.ofSeconds(1));
        assertThat(sub.maxDeliveries()).isEqualTo(10);
        assertThat(read(Map.of("stream", "s"))).isEqualTo(StreamSubscription.of("s"));
    }

    @Test
    void everyKeySet() {
        StreamSubscription sub = read(Map.of("stream", "s", "group", "g", "field", "payload", "start", "0",
                "claim-idle", "3s", "batch-size", "50", "block", "200ms", "max-deliveries", "3"));
        assertThat(sub).isEqualTo(new StreamSubscription("s", "g", "payload", "0", Duration.ofSeconds(3), 50,
                Duration.ofMillis(200), 3));
        assertThat(read(Map.of("stream", "s", "start", "1700000000000-5")).start()).isEqualTo("1700000000000-5");
    }

    @Test
    void everyProblemAtOnceUnderItsKey() {
        assertThatThrownBy(() -> read(Map.of("stream", "s", "group", " ", "start", "latest", "claim-idle", "10ms",
                "batch-size", "0", "block", "1m", "max-deliveries", "5000")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("subscriptions[0].group:"))
                        .anySatisfy(p -> assertThat(p).startsWith("subscriptions[0].start:").contains("$", "0"))
                        .anySatisfy(p -> assertThat(p).startsWith("subscriptions[0].claim-idle:"))
                        .anySatisfy(p -> assertThat(p).startsWith("subscriptions[0].batch-size:"))
                        .anySatisfy(p -> assertThat(p).startsWith("subscriptions[0].block:"))
                        .anySatisfy(p -> assertThat(p).startsWith("subscriptions[0].max-deliveries:")));
    }
}
