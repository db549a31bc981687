package io.alertrelay.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class ReceiverTextTest {
    @Test
    void retryAfterParsing() {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(ReceiverText.retryAfter("30", now)).contains(Duration.ofSeconds(30));
        assertThat(ReceiverText.retryAfter(" 0 ", now)).contains(Duration.ZERO);
        assertThat(ReceiverText.retryAfter("Mon, 23 Nov 2026 10:00:10 GMT", now)).contains(Duration.ofSeconds(10));
        assertThat(ReceiverText.retryAfter("Mon, 23 Nov 2026 09:00:00 GMT", now)).contains(Duration.ZERO);
        assertThat(ReceiverText.retryAfter(null, now)).isEmpty();
        assertThat(ReceiverText.retryAfter("", now)).isEmpty();
        assertThat(ReceiverText.retryAfter("-5", now)).isEmpty();
        assertThat(ReceiverText.retryAfter("soon", now)).isEmpty();
        assertThat(ReceiverText.retryAfter("99999999999999999999999", now)).isEmpty();
    }
}
