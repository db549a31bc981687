package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.source.redis.SentinelWatch.Answer;
import io.alertrelay.source.redis.SentinelWatch.View;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the sentinels' answers are combined (no I/O). */
class SentinelWatchTest {
    private static final HostAndPort S1 = new HostAndPort("10.0.0.1", 26379);
    private static final HostAndPort S2 = new HostAndPort("10.0.0.2", 26379);
    private static final HostAndPort S3 = new HostAndPort("10.0.0.3", 26379);

    @Test
    void theHighestConfigEpochWinsOverTheMajority() {
        View view = SentinelWatch.combine(Arrays.asList(
                new Answer(0, S1, "old:6379", 1, Set.of("new:6379"), null),
                new Answer(1, S2, "old:6379", 1, Set.of("new:6379"), null),
                new Answer(2, S3, "new:6379", 2, Set.of("old:6379"), null)));
        assertThat(view.master()).contains("new:6379");
        assertThat(view.configEpoch()).isEqualTo(2);
        assertThat(view.replicas()).containsExactly("old:6379");   // the union, without the master
        assertThat(view.answered()).isEqualTo(3);
    }

    @Test
    void aTieInEpochGoesToTheMajorityThenToTheFirstListedSentinel() {
        assertThat(SentinelWatch.combine(Arrays.asList(
                new Answer(0, S1, "a:1", 3, Set.of(), null),
                new Answer(1, S2, "b:1", 3, Set.of(), null),
                new Answer(2, S3, "b:1", 3, Set.of(), null))).master()).contains("b:1");
        assertThat(SentinelWatch.combine(Arrays.asList(
                new Answer(0, S1, "a:1", 3, Set.of(), null),
                new Answer(1, S2, "b:1", 3, Set.of(), null))).master()).contains("a:1");
    }

    @Test
    void sentinelsThatDidNotAnswerAreIgnoredAndNoAnswerMeansNoMaster() {
        View one = SentinelWatch.combine(Arrays.asList(
                new Answer(0, S1, null, -1, Set.of(), "timed out"),
                new Answer(1, S2, "b:1", 0, Set.of("c:1"), null),
                null));
        assertThat(one.master()).contains("b:1");
        assertThat(one.answered()).isEqualTo(1);
        assertThat(one.summary()).contains("no answer (timed out)").contains("master b:1");

        View none = SentinelWatch.combine(Arrays.asList(new Answer(0, S1, null, -1, Set.of(), "refused")));
        assertThat(none.master()).isEmpty();
        assertThat(none.answered()).isZero();
    }
}
