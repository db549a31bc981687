package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectDelayTest {
    @Test
    void firstAttemptAtOnceThenExponentialUpToTheMax() {
        ReconnectDelay delay = new ReconnectDelay(Duration.ofSeconds(1));
        assertThat(delay.createDelay(1)).isZero();
        assertThat(delay.createDelay(2)).isEqualTo(Duration.ofMillis(10));
        assertThat(delay.createDelay(3)).isEqualTo(Duration.ofMillis(20));
        assertThat(delay.createDelay(4)).isEqualTo(Duration.ofMillis(40));
        assertThat(delay.createDelay(8)).isEqualTo(Duration.ofMillis(640));
        assertThat(delay.createDelay(9)).isEqualTo(Duration.ofSeconds(1));
        assertThat(delay.createDelay(Long.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aMaxBelowTheFirstBackoffCaps() {
        assertThat(new ReconnectDelay(Duration.ofMillis(5)).createDelay(2)).isEqualTo(Duration.ofMillis(5));
    }
}
