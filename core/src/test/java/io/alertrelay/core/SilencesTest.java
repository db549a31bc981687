package io.alertrelay.core;

import static io.alertrelay.testing.Alerts.alert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SilencesTest {
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");
    private final Alert batchWarning = alert("a", "Job late", Severity.WARNING, Map.of("service", "batch"));
    private final Alert batchCritical = alert("b", "Job failed", Severity.CRITICAL, Map.of("service", "batch"));
    private final Alert web = alert("c", "Slow", Severity.WARNING, Map.of("service", "web"));

    @TempDir
    Path dir;

    private static List<Matcher> matchers(String... texts) {
        return java.util.Arrays.stream(texts).map(Matcher::parse).toList();
    }

    @Test
    void aSilenceHoldsOnlyForWhatItMatchesAndOnlyUntilItEnds() {
        Silences silences = Silences.inMemory(clock);
        Silence silence = silences.add(matchers("service=batch", "severity!=critical"), Optional.empty(),
                clock.instant().plus(Duration.ofMinutes(30)), "ana", "nightly batch rework");
        assertThat(silences.silencing(batchWarning)).contains(silence);
        assertThat(silences.silencing(batchCritical)).isEmpty();
        assertThat(silences.silencing(web)).isEmpty();
        clock.advance(Duration.ofMinutes(30).minusMillis(1));
        assertThat(silences.silencing(batchWarning)).isPresent();
        clock.advanceMillis(1);
        assertThat(silences.silencing(batchWarning)).as("ends exactly at until").isEmpty();
        assertThat(silences.list()).singleElement().satisfies(s -> assertThat(s.state(clock.instant()))
                .isEqualTo("expired"));
        clock.advance(Silences.RETENTION.plusSeconds(1));
        assertThat(silences.list()).as("forgotten a day after it ended").isEmpty();
    }

    @Test
    void aSilenceThatStartsLaterIsPendingUntilThen() {
        Silences silences = Silences.inMemory(clock);
        silences.add(matchers("service=web"), Optional.of(clock.instant().plusSeconds(60)),
                clock.instant().plusSeconds(120), "ana", "deploy");
        assertThat(silences.silencing(web)).isEmpty();
        clock.advance(Duration.ofSeconds(60));
        assertThat(silences.silencing(web)).isPresent();
    }

    @Test
    void expiringEndsItNowAndBadTimesAreRefused() {
        Silences silences = Silences.inMemory(clock);
        Silence silence = silences.add(matchers("service=web"), Optional.empty(), clock.instant().plusSeconds(3600),
                "ana", "x");
        assertThat(silences.expire(silence.id())).hasValueSatisfying(expired ->
                assertThat(expired.endsAt()).isEqualTo(clock.instant()));
        assertThat(silences.silencing(web)).isEmpty();
        assertThat(silences.expire("nope")).isEmpty();
        assertThatThrownBy(() -> silences.add(matchers("a=b"), Optional.empty(), clock.instant().minusSeconds(1),
                "ana", "x")).hasMessageContaining("past");
        assertThatThrownBy(() -> silences.add(matchers("a=b"), Optional.of(clock.instant().plusSeconds(10)),
                clock.instant().plusSeconds(5), "ana", "x")).hasMessageContaining("after starts");
    }

    @Test
    void silencesSurviveARestartAndAConfigSilenceKeepsItsEarlyExpiry() {
        Silence fromConfig = Silences.fromConfig(matchers("service=batch"), Instant.EPOCH,
                Instant.parse("2026-12-24T06:00:00Z"), "config", "nightly");
        String apiId;
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Silences silences = new Silences(store, clock);
            silences.addFromConfig(List.of(fromConfig));
            apiId = silences.add(matchers("service=web"), Optional.empty(), clock.instant().plusSeconds(600), "ana",
                    "deploy").id();
            silences.expire(fromConfig.id());
        }
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Silences silences = new Silences(store, clock);
            silences.addFromConfig(List.of(fromConfig));
            assertThat(silences.silencing(web)).hasValueSatisfying(s -> assertThat(s.id()).isEqualTo(apiId));
            assertThat(silences.silencing(batchWarning)).as("expired through the API before the restart").isEmpty();
            assertThat(Silences.fromConfig(matchers("service=batch"), Instant.EPOCH,
                    Instant.parse("2026-12-24T06:00:00Z"), "config", "nightly").id()).isEqualTo(fromConfig.id());
        }
    }
}
