package io.alertrelay.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.Alert;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MvStoreOutboxTest {
    private static final Duration FLUSH = Duration.ofMillis(10);
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");

    @TempDir
    Path dir;

    private MvStoreOutbox open(Path directory) {
        return MvStoreOutbox.open(directory, FLUSH, clock);
    }

    @Test
    void pendingNotificationsSurviveARestartOldestFirstWithTheirAge() {
        long done;
        try (MvStoreOutbox outbox = open(dir)) {
            done = outbox.add("ops", Alerts.diskFull()).id();
            clock.advanceMillis(1);
            outbox.add("ops", Alerts.alert("a-2", "two"));
            outbox.add("mail", Alerts.alert("m-1", "mail"));
            clock.advanceMillis(1);
            outbox.add("ops", Alerts.alert("a-3", "three"));
            outbox.flush(); // pending() reads what the flusher applied
            outbox.done(outbox.pending("ops", 0, 10).stream().filter(n -> n.id() == done).findFirst().orElseThrow());
        }
        clock.advance(Duration.ofHours(1));
        try (MvStoreOutbox outbox = open(dir)) {
            assertThat(outbox.pending("ops", 0, 10)).extracting(n -> n.alert().id()).containsExactly("a-2", "a-3");
            assertThat(outbox.pending("ops", 0, 10).get(0).createdAt()).isEqualTo(Instant.parse("2026-11-27T10:00:00.001Z"));
            assertThat(outbox.pendingCount("ops")).isEqualTo(2);
            assertThat(outbox.pendingCount("mail")).isEqualTo(1);
            assertThat(outbox.sinkIds()).containsExactly("mail", "ops");
            long last = outbox.pending("ops", 0, 10).get(1).id();
            assertThat(outbox.add("ops", Alerts.alert("a-4", "four")).id()).as("ids keep increasing").isGreaterThan(last);
        }
    }

    @Test
    void anAlertRoundTripsExactly() throws Exception {
        Alert alert = Alerts.diskFull();
        try (MvStoreOutbox outbox = open(dir)) {
            Notification added = outbox.add("ops", alert);
            outbox.awaitDurable(added.id());
            assertThat(outbox.pending("ops", 0, 1)).containsExactly(added);
        }
    }

    @Test
    void whatAwaitDurableReturnedForIsOnDiskEvenIfTheProcessDiesThen() throws Exception {
        try (MvStoreOutbox outbox = open(dir)) {
            Notification added = outbox.add("ops", Alerts.alert("a-1", "one"));
            outbox.awaitDurable(added.id());
            // the file as SIGKILL would leave it: copied while the store is open, never closed
            Path crashed = Files.createDirectories(dir.resolve("crashed"));
            Files.copy(dir.resolve(MvStoreOutbox.FILE_NAME), crashed.resolve(MvStoreOutbox.FILE_NAME),
                    StandardCopyOption.COPY_ATTRIBUTES);
            try (MvStoreOutbox recovered = open(crashed)) {
                assertThat(recovered.pending("ops", 0, 10)).extracting(n -> n.alert().id()).containsExactly("a-1");
                assertThat(recovered.recovery()).isEmpty();
            }
        }
    }

    @Test
    void manyWritesShareOneFsync() {
        try (MvStoreOutbox outbox = MvStoreOutbox.open(dir, Duration.ofHours(1), clock)) {
            for (int i = 0; i < 1_000; i++) {
                outbox.add("ops", Alerts.alert("a-" + i, "t"));
            }
            outbox.flush();
            // the first write is committed at once; the rest arrive while that commit runs (a commit and its fsync
            // take far longer than recording 1,000 writes) and share the next one or two
            assertThat(outbox.flushes()).isLessThan(100);
            assertThat(outbox.pending("ops", 0, 2_000)).hasSize(1_000);
        }
    }

    @Test
    void aSecondRelayOnTheSameDirectoryIsRefused() {
        try (MvStoreOutbox first = open(dir)) {
            assertThatThrownBy(() -> open(dir))
                    .isInstanceOf(OutboxUnavailableException.class)
                    .hasMessageContaining("delivery.dir: " + dir.toAbsolutePath() + " is in use by another Alert Relay")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        open(dir).close(); // released on close
    }

    @Test
    void aCorruptStoreIsMovedAsideAndAFreshOneUsed() throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(MvStoreOutbox.FILE_NAME), "this is not an MVStore file ".repeat(500).getBytes());
        try (MvStoreOutbox outbox = open(dir)) {
            assertThat(outbox.recovery()).hasValueSatisfying(recovery -> {
                assertThat(recovery.movedTo().getFileName().toString())
                        .isEqualTo("outbox.mv.db.corrupt-20261127T100000Z");
                assertThat(recovery.problem()).isNotBlank();
            });
            assertThat(Files.readString(dir.resolve("outbox.mv.db.corrupt-20261127T100000Z"))).startsWith("this is not");
            outbox.add("ops", Alerts.alert("a-1", "one"));
        }
        try (MvStoreOutbox outbox = open(dir)) {
            assertThat(outbox.pending("ops", 0, 10)).hasSize(1);
            assertThat(outbox.recovery()).isEmpty();
        }
    }

    @Test
    void aTruncatedStoreNeverStopsTheStart() throws IOException {
        try (MvStoreOutbox outbox = open(dir)) {
            for (int i = 0; i < 200; i++) {
                outbox.add("ops", Alerts.alert("a-" + i, "x".repeat(200)));
            }
        }
        Path file = dir.resolve(MvStoreOutbox.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        try (MvStoreOutbox outbox = open(dir)) {
            outbox.add("ops", Alerts.alert("after", "t"));
            outbox.flush();
            assertThat(outbox.pending("ops", 0, 1_000)).extracting(n -> n.alert().id()).contains("after");
        }
    }

    @Test
    void deadLettersKeepTheAnswerAndCanBeRedrivenOrPurged() {
        long first;
        long second;
        try (MvStoreOutbox outbox = open(dir)) {
            Notification one = outbox.add("ops", Alerts.alert("a-1", "one"));
            Notification two = outbox.add("ops", Alerts.alert("a-2", "two"));
            first = outbox.deadLetter(one, 1, DeadLetter.REJECTED, "HTTP 400 invalid_payload").id();
            second = outbox.deadLetter(two, 9, DeadLetter.EXPIRED, "HTTP 503").id();
        }
        try (MvStoreOutbox outbox = open(dir)) {
            assertThat(outbox.deadLetters()).extracting(DeadLetter::answer)
                    .containsExactly("HTTP 400 invalid_payload", "HTTP 503");
            assertThat(outbox.deadLetterCount("ops")).isEqualTo(2);
            assertThat(outbox.pendingCount("ops")).isZero();
            Notification again = outbox.redrive(first).orElseThrow();
            assertThat(again.alert().id()).isEqualTo("a-1");
            assertThat(again.id()).isGreaterThan(second);
            assertThat(outbox.purge(second)).isTrue();
            assertThat(outbox.purge(second)).isFalse();
            assertThat(outbox.redrive(first)).isEmpty();
        }
        try (MvStoreOutbox outbox = open(dir)) {
            assertThat(outbox.deadLetters()).isEmpty();
            assertThat(outbox.pending("ops", 0, 10)).extracting(n -> n.alert().id()).containsExactly("a-1");
        }
    }

    @Test
    void theDirectoryIsCreatedIfMissing() throws IOException {
        Path nested = dir.resolve("a/b/alert-relay-data");
        try (MvStoreOutbox outbox = open(nested)) {
            assertThat(outbox.directory()).isEqualTo(nested);
        }
        try (Stream<Path> files = Files.list(nested)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("outbox.mv.db", "relay.lock");
        }
    }

    @Test
    void aSinksStateSurvivesARestartAndIsItsOwn() {
        try (MvStoreOutbox outbox = open(dir)) {
            io.alertrelay.spi.SinkState slack = outbox.sinkState("ops-slack");
            slack.put("f-1", "C1 1700000000.000100");
            slack.put("f-2", "C1 1700000000.000200");
            slack.remove("f-2");
            assertThat(slack.get("f-1")).contains("C1 1700000000.000100");
            assertThat(outbox.sinkState("other").get("f-1")).isEmpty();
        }
        try (MvStoreOutbox outbox = open(dir)) {
            io.alertrelay.spi.SinkState slack = outbox.sinkState("ops-slack");
            assertThat(slack.get("f-1")).contains("C1 1700000000.000100");
            assertThat(slack.get("f-2")).isEmpty();
            assertThat(outbox.sinkIds()).as("state is not a sink's backlog").isEmpty();
        }
    }

    @Test
    void stateNotWrittenForTheRetentionIsDropped() {
        try (MvStoreOutbox outbox = open(dir)) {
            io.alertrelay.spi.SinkState state = outbox.sinkState("ops-slack");
            state.put("old", "C1 1");
            clock.advance(MvStoreOutbox.STATE_RETENTION.plusDays(1));
            state.put("young", "C1 2");
            for (int i = 2; i < MvStoreOutbox.STATE_PRUNE_EVERY; i++) {
                state.put("young", "C1 2");
            }
            assertThat(state.get("old")).isEmpty();
            assertThat(state.get("young")).contains("C1 2");
        }
    }
}
