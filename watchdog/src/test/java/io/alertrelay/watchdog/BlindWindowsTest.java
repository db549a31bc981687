package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.BlindWindows.BlindWindow;
import io.alertrelay.watchdog.testing.LogCapture;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.watchdog.testing.RecordingHealthAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

final class BlindWindowsTest {
    private static final String NODE = "10.0.0.5:6379";
    private static final String NEW_NODE = "10.0.0.6:6379";

    private final ManualClock clock = ManualClock.at("2026-11-23T12:05:00Z");
    private final RecordingHealthAlerts alerts = new RecordingHealthAlerts();
    private final BlindWindows windows = new BlindWindows(alerts, "relay-1", clock);

    {
        windows.coveredByCanary(List.of("alerts:*"));
    }

    private static Instant at(String time) {
        return Instant.parse("2026-11-23T" + time + "Z");
    }

    @Test
    void theMessageHasExactlyTheAgreedForm() {
        assertThat(BlindWindows.message("alerts:*", at("12:03:10.412"), at("12:03:11.873"))).isEqualTo(
                "Alerts published on alerts:* between 12:03:10.412 and 12:03:11.873 UTC (1.46 s) may not have been delivered.");
    }

    @Test
    void longWindowsShowMinutesAndHoursAndWindowsOverMidnightShowTheDates() {
        assertThat(BlindWindows.message("alerts:*", at("12:03:10.000"), at("12:05:15.200")))
                .isEqualTo("Alerts published on alerts:* between 12:03:10.000 and 12:05:15.200 UTC (2 min 5.20 s) may not "
                        + "have been delivered.");
        assertThat(BlindWindows.message("a", at("10:00:00.000"), at("11:00:03.000"))).contains("(1 h 0 min 3.00 s)");
        assertThat(BlindWindows.message("a", Instant.parse("2026-11-23T23:59:58Z"), Instant.parse("2026-11-24T00:00:01.5Z")))
                .isEqualTo("Alerts published on a between 2026-11-23 23:59:58.000 and 2026-11-24 00:00:01.500 UTC (3.50 s) "
                        + "may not have been delivered.");
    }

    @Test
    void durationsRoundHalfUpToTheCentisecondWithoutEverShowingSixtySeconds() {
        assertThat(Durations.seconds(Duration.ofMillis(1465))).isEqualTo("1.47 s");
        assertThat(Durations.seconds(Duration.ofMillis(1464))).isEqualTo("1.46 s");
        assertThat(Durations.seconds(Duration.ofMillis(59_999))).isEqualTo("1 min 0.00 s");
        assertThat(Durations.seconds(Duration.ZERO)).isEqualTo("0.00 s");
    }

    @Test
    void aLostSubscriptionClosesWithTheFirstCanaryAfterItIsAcknowledgedAgain() {
        try (LogCapture logs = LogCapture.of(BlindWindows.class)) {
            windows.subscriptionLost(NODE, "alerts:*", at("12:03:10.412"), "connection reset by peer");
            windows.onCanaryReceived(NODE, "alerts:*", at("12:03:10.500"), at("12:03:10.502")); // before the ack: no proof
            assertThat(windows.open()).singleElement().satisfies(open -> assertThat(open.awaitingAcknowledgement()).isTrue());

            windows.subscriptionRestored(NEW_NODE, "alerts:*", at("12:03:11.800"));
            assertThat(windows.open()).singleElement().satisfies(open -> {
                assertThat(open.awaitingAcknowledgement()).isFalse();
                assertThat(open.acknowledgedAt()).contains(at("12:03:11.800"));
            });
            windows.onCanaryReceived(NEW_NODE, "alerts:*", at("12:03:11.873"), at("12:03:11.875"));

            String message = "Alerts published on alerts:* between 12:03:10.412 and 12:03:11.873 UTC (1.46 s) may not have "
                    + "been delivered.";
            assertThat(windows.open()).isEmpty();
            assertThat(windows.recent()).singleElement().satisfies(window -> {
                assertThat(window.message()).isEqualTo(message);
                assertThat(window.seconds()).isEqualTo(1.461);
                assertThat(window.reason()).isEqualTo("subscription lost on " + NODE + ": connection reset by peer");
            });
            assertThat(logs.lines(Level.WARN)).singleElement().asString().startsWith(message);

            Alert alert = alerts.raised().get(0);
            assertThat(alert.severity()).isEqualTo(Severity.WARNING);
            assertThat(alert.status()).isEqualTo(Status.FIRING);
            assertThat(alert.summary().orElseThrow()).startsWith(message);
            assertThat(alert.labels()).containsEntry("component", "blind-window").containsEntry("subscription", "alerts:*");
            assertThat(alert.id()).isEqualTo("relay-blind-window:relay-1:alerts:*:" + at("12:03:10.412").toEpochMilli());
            assertThat(alert.timestamp()).contains(clock.instant());
        }
        assertThat(windows.closedCount()).isEqualTo(1);
        assertThat(windows.totalSeconds()).isEqualTo(1.461);
        assertThat(windows.lastSeconds()).isEqualTo(1.461);
    }

    @Test
    void aCanarySentBeforeTheAcknowledgementEndsTheWindowAtTheAcknowledgement() {
        windows.subscriptionLost(NODE, "alerts:*", at("12:03:10.000"), "reset");
        windows.subscriptionRestored(NODE, "alerts:*", at("12:03:12.000"));
        windows.onCanaryReceived(NODE, "alerts:*", at("12:03:11.000"), at("12:03:12.100"));
        assertThat(windows.last().map(BlindWindow::end)).contains(at("12:03:12.000"));
    }

    @Test
    void aSubscriptionNoCanaryCoversClosesWhenItIsAcknowledgedAgain() {
        windows.subscriptionLost(NODE, "billing", at("12:00:00.000"), "reset");
        windows.subscriptionRestored(NODE, "billing", at("12:00:02.250"));
        assertThat(windows.recent()).singleElement().satisfies(window -> {
            assertThat(window.message()).isEqualTo("Alerts published on billing between 12:00:00.000 and 12:00:02.250 UTC "
                    + "(2.25 s) may not have been delivered.");
            assertThat(window.closedBy()).contains("no canary covers it");
        });
    }

    @Test
    void aMissedCanaryOpensAWindowAtItsSendingTimeAndMovesAnOpenWindowsStartEarlier() {
        windows.subscriptionLost(NODE, "alerts:*", at("12:03:11.000"), "half-open connection detected");
        windows.canaryMissed("alerts:*", at("12:03:10.000"), "canary #7 not received");
        assertThat(windows.open()).singleElement().satisfies(open -> {
            assertThat(open.start()).isEqualTo(at("12:03:10.000"));
            assertThat(open.awaitingAcknowledgement()).isTrue();
        });
    }

    @Test
    void aWindowOpenedByAMissClosesWithTheNextCanaryWithoutAnyAcknowledgement() {
        windows.canaryMissed("alerts:*", at("12:03:00.000"), "canary #1 on alerts:__canary__ not received within 3s");
        windows.onCanaryReceived(NODE, "alerts:*", at("12:02:50.000"), at("12:03:04.000")); // older than the window
        assertThat(windows.openCount()).isEqualTo(1);
        windows.onCanaryReceived(NODE, "alerts:*", at("12:03:10.000"), at("12:03:10.004"));
        assertThat(windows.recent()).singleElement().satisfies(window ->
                assertThat(window.message()).contains("between 12:03:00.000 and 12:03:10.000 UTC (10.00 s)"));
    }

    @Test
    void theMissedCanaryArrivingLateMeansNothingWasMissed() {
        windows.canaryMissed("alerts:*", at("12:03:00.000"), "canary #1 not received within 3s");
        windows.onCanaryReceived(NODE, "alerts:*", at("12:03:00.000"), at("12:03:04.000"));
        assertThat(windows.openCount()).isZero();
        assertThat(windows.closedCount()).isZero();
        assertThat(alerts.raised()).isEmpty();
    }

    @Test
    void keepsTheLastThousandWindowsNewestFirstAndCountsThemAll() {
        Instant start = at("12:00:00.000");
        for (int i = 0; i < BlindWindows.RECENT_WINDOWS_CAPACITY + 5; i++) {
            Instant lost = start.plusSeconds(10L * i);
            windows.subscriptionLost(NODE, "alerts:*", lost, "reset " + i);
            windows.subscriptionRestored(NODE, "alerts:*", lost.plusMillis(500));
            windows.onCanaryReceived(NODE, "alerts:*", lost.plusSeconds(1), lost.plusMillis(1001));
        }
        List<BlindWindow> recent = windows.recent();
        assertThat(recent).hasSize(1000);
        assertThat(recent.get(0).reason()).endsWith("reset 1004");
        assertThat(recent.get(999).reason()).endsWith("reset 5");
        assertThat(windows.closedCount()).isEqualTo(1005);
        assertThat(windows.totalSeconds()).isEqualTo(1005.0);
        assertThat(windows.lastSeconds()).isEqualTo(1.0);
    }

    @Test
    void aRestoreWithoutALossIsIgnored() {
        windows.subscriptionRestored(NODE, "alerts:*", at("12:00:00.000"));
        assertThat(windows.openCount()).isZero();
        assertThat(windows.closedCount()).isZero();
    }
}
