package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.testing.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The every-node dedup rule, driven by hand with a settable clock. */
class MessageDeduplicatorTest {
    private static final Optional<String> NO_PATTERN = Optional.empty();

    private final ManualClock clock = new ManualClock(Instant.parse("2024-05-01T12:00:00Z"));
    private final MessageDeduplicator dedup = new MessageDeduplicator(clock, Duration.ofSeconds(30), 1000);

    @Test
    void oneMessageSeenOnSeveralNodesIsDeliveredOnceByTheFirst() {
        assertThat(dedup.receive("replica:1", NO_PATTERN, "alerts:a", "x")).isTrue();
        assertThat(dedup.receive("master:1", NO_PATTERN, "alerts:a", "x")).isFalse();
        assertThat(dedup.receive("other:1", NO_PATTERN, "alerts:a", "x")).isFalse();
    }

    @Test
    void theSamePayloadPublishedTwiceIsTwoDeliveriesWhateverTheInterleaving() {
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();    // the second publication, master first
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isFalse();   // the replica's copies
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isFalse();

        assertThat(dedup.receive("r", NO_PATTERN, "d", "y")).isTrue();
        assertThat(dedup.receive("m", NO_PATTERN, "d", "y")).isFalse();
        assertThat(dedup.receive("m", NO_PATTERN, "d", "y")).isTrue();    // master hears the second one first
        assertThat(dedup.receive("r", NO_PATTERN, "d", "y")).isFalse();
    }

    @Test
    void aNodeThatMissedACopyLagsUntilAnotherNodeCatchesUp() {
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isFalse();   // r missed the other one (reconnecting)
        // a third publication: r's copy is taken for the one it missed (the documented limit) ...
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isFalse();
        // ... and is delivered when a node that saw both earlier ones hears it
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        // r stays one behind for this key until the entry expires: a fourth one heard first by r waits for m
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isFalse();
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        clock.advance(Duration.ofSeconds(30));
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isTrue();    // expired: r alone delivers again
    }

    @Test
    void channelPayloadAndPatternAreTheKey() {
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        assertThat(dedup.receive("r", NO_PATTERN, "c", "other")).isTrue();
        assertThat(dedup.receive("r", NO_PATTERN, "c2", "x")).isTrue();
        assertThat(dedup.receive("r", Optional.of("c*"), "c", "x")).isTrue();   // the pmessage of the same publish
        assertThat(dedup.receive("m", Optional.of("c*"), "c", "x")).isFalse();
    }

    @Test
    void entriesExpireAWindowAfterTheirLastReceipt() {
        assertThat(dedup.receive("m", NO_PATTERN, "c", "x")).isTrue();
        clock.advance(Duration.ofSeconds(29));
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isFalse();   // refreshes the entry
        clock.advance(Duration.ofSeconds(29));
        assertThat(dedup.size()).isEqualTo(1);
        assertThat(dedup.receive("m2", NO_PATTERN, "c", "x")).isFalse();
        clock.advance(Duration.ofSeconds(30));
        assertThat(dedup.receive("r", NO_PATTERN, "c", "x")).isTrue();    // forgotten: a late copy is delivered again
        assertThat(dedup.size()).isEqualTo(1);
    }

    @Test
    void theOldestEntriesAreEvictedBeyondTheBound() {
        MessageDeduplicator small = new MessageDeduplicator(clock, Duration.ofSeconds(30), 2);
        assertThat(small.receive("m", NO_PATTERN, "c", "1")).isTrue();
        assertThat(small.receive("m", NO_PATTERN, "c", "2")).isTrue();
        assertThat(small.receive("r", NO_PATTERN, "c", "1")).isFalse();   // touches "1": "2" is now the oldest
        assertThat(small.receive("m", NO_PATTERN, "c", "3")).isTrue();
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.evicted()).isEqualTo(1);
        assertThat(small.receive("r", NO_PATTERN, "c", "2")).isTrue();     // "2" was forgotten
        assertThat(small.receive("r", NO_PATTERN, "c", "3")).isFalse();
    }

    @Test
    void rejectsANonPositiveBound() {
        assertThatThrownBy(() -> new MessageDeduplicator(clock, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
