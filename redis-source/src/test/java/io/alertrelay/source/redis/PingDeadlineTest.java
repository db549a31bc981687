package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.source.redis.PingDeadline.Ping;
import io.alertrelay.source.redis.PingDeadline.Verdict;
import io.alertrelay.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PingDeadlineTest {
    private final ManualClock clock = ManualClock.at("2026-11-27T12:00:00Z");

    @Test
    void oneOutstandingPingPerConnection() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ZERO);
        Ping first = deadline.begin(1, "a:1", 0);
        assertThat(first).isNotNull();
        assertThat(deadline.begin(1, "a:1", 0)).as("still waiting on connection 1").isNull();
        assertThat(deadline.begin(2, "a:1", 0)).as("a new connection gets its own").isNotNull();
    }

    @Test
    void answeredPingExpiresWithoutVerdict() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ZERO);
        Ping ping = deadline.begin(1, "a:1", 0);
        assertThat(deadline.answered(ping, 1)).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(ping, 1, 0)).isEqualTo(Verdict.NONE);
        assertThat(deadline.begin(1, "a:1", 0)).isNotNull();
    }

    @Test
    void withoutGraceTheFirstMissDrops() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ZERO);
        Ping ping = deadline.begin(1, "a:1", 5);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(ping, 1, 5)).isEqualTo(Verdict.DROP);
    }

    @Test
    void messagesSinceThePingMeanBusyNotFrozen() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ZERO);
        Ping ping = deadline.begin(1, "a:1", 5);
        assertThat(deadline.expired(ping, 1, 9)).isEqualTo(Verdict.BUSY);
    }

    @Test
    void aPingOfAConnectionThatIsGoneDecidesNothing() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ZERO);
        Ping ping = deadline.begin(1, "a:1", 0);
        assertThat(deadline.expired(ping, 2, 0)).isEqualTo(Verdict.NONE);
        Ping again = deadline.begin(3, "a:1", 0);
        deadline.reset();
        assertThat(deadline.expired(again, 3, 0)).as("reset forgets it").isEqualTo(Verdict.NONE);
    }

    @Test
    void withGraceTheConnectionIsKeptUntilTheGraceEnds() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ofSeconds(30));
        Ping ping = deadline.begin(1, "a:1", 0);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(ping, 1, 0)).isEqualTo(Verdict.UNRESPONSIVE);
        assertThat(deadline.unresponsive()).isTrue();
        for (int missed = 1; missed <= 14; missed++) {   // 2 .. 28 s after the first miss
            Ping next = deadline.begin(1, "a:1", 0);
            clock.advance(Duration.ofSeconds(2));
            assertThat(deadline.expired(next, 1, 0)).as("%s s after the first miss", 2 * missed)
                    .isEqualTo(Verdict.IN_GRACE);
        }
        Ping last = deadline.begin(1, "a:1", 0);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(last, 1, 0)).as("30 s after the first miss").isEqualTo(Verdict.DROP);
        assertThat(deadline.unresponsive()).isFalse();
    }

    @Test
    void aPongAfterAMissEndsTheGraceAndSaysHowLongItWasSilent() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ofSeconds(30));
        Ping ping = deadline.begin(1, "a:1", 0);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(ping, 1, 0)).isEqualTo(Verdict.UNRESPONSIVE);
        Ping next = deadline.begin(1, "a:1", 0);
        clock.advance(Duration.ofSeconds(7));
        assertThat(deadline.answered(next, 1)).contains(Duration.ofSeconds(7));
        assertThat(deadline.unresponsive()).isFalse();
        Ping after = deadline.begin(1, "a:1", 0);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(after, 1, 0)).as("a new miss starts a new grace").isEqualTo(Verdict.UNRESPONSIVE);
    }

    @Test
    void aLateAnswerFromAnEarlierConnectionDoesNotClearTheMark() {
        PingDeadline deadline = new PingDeadline(clock, Duration.ofSeconds(2), Duration.ofSeconds(30));
        Ping old = deadline.begin(1, "a:1", 0);
        clock.advance(Duration.ofSeconds(2));
        assertThat(deadline.expired(old, 1, 0)).isEqualTo(Verdict.UNRESPONSIVE);
        assertThat(deadline.answered(old, 2)).isEmpty();
        assertThat(deadline.unresponsive()).isTrue();
    }
}
