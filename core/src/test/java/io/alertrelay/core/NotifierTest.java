package io.alertrelay.core;

import static io.alertrelay.testing.Alerts.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silences, the repeat rule and groups, on a manual clock: {@link Notifier#tick()} is called by hand. */
final class NotifierTest {
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<Sent> sent = new ArrayList<>();

    @TempDir
    Path dir;

    private record Sent(String sink, List<String> titles, List<Status> statuses) {}

    private static Alert firing(String title, Map<String, String> labels) {
        return alert("id-" + title, title, Severity.CRITICAL, labels);
    }

    private static Alert resolved(Alert alert) {
        return new Alert(alert.id() + "-r", alert.title(), Status.RESOLVED, alert.severity(), alert.summary(),
                alert.labels(), alert.source(), alert.timestamp(), alert.extra(), alert.origin());
    }

    private static Route route(String sink, Grouping grouping) {
        return new Route(List.of(sink), List.of(), Set.of(), Map.of(), false, List.of(), Optional.empty(), grouping);
    }

    private static Grouping groupBy(String... names) {
        return new Grouping(Optional.of(List.of(names)), Grouping.DEFAULT_GROUP_WAIT, Grouping.DEFAULT_GROUP_INTERVAL,
                Grouping.DEFAULT_REPEAT_INTERVAL, true);
    }

    private Notifier notifier(StateStore store, Route... routes) {
        Router router = Router.of(List.of(routes));
        Notifier notifier = new Notifier(router, new Silences(store, clock), store, clock, metrics);
        notifier.deliverTo((sink, alerts) -> sent.add(new Sent(sink, alerts.stream().map(Alert::title).toList(),
                alerts.stream().map(Alert::status).toList())));
        return notifier;
    }

    private Notifier notifier(Route... routes) {
        return notifier(new InMemoryStateStore(), routes);
    }

    private void accept(Notifier notifier, Alert alert) {
        notifier.accept(alert, notifier.router().select(alert));
    }

    @Test
    void theSameFiringAlertNotifiesOnceUntilRepeatIntervalAndItsResolutionOnce() {
        Notifier notifier = notifier(Route.toAll(List.of("slack")));
        Alert disk = firing("Disk full", Map.of("host", "db-1"));
        for (int i = 0; i < 50; i++) {
            accept(notifier, disk);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(sent).containsExactly(new Sent("slack", List.of("Disk full"), List.of(Status.FIRING)));
        assertThat(metrics.get("alertrelay.alerts.deduplicated").counter().count()).isEqualTo(49);

        accept(notifier, resolved(disk));
        accept(notifier, resolved(disk));
        assertThat(sent).hasSize(2).last().isEqualTo(new Sent("slack", List.of("Disk full"), List.of(Status.RESOLVED)));

        accept(notifier, disk);
        assertThat(sent).as("firing again after its resolution notifies").hasSize(3);
        clock.advance(Grouping.DEFAULT_REPEAT_INTERVAL.minusSeconds(1));
        accept(notifier, disk);
        assertThat(sent).hasSize(3);
        clock.advance(Duration.ofSeconds(1));
        accept(notifier, disk);
        assertThat(sent).as("repeat-interval after the last notification").hasSize(4);
    }

    @Test
    void aResolutionIsNotSentWithSendResolvedFalse() {
        Grouping quiet = new Grouping(Optional.empty(), Grouping.DEFAULT_GROUP_WAIT, Grouping.DEFAULT_GROUP_INTERVAL,
                Grouping.DEFAULT_REPEAT_INTERVAL, false);
        Notifier notifier = notifier(route("slack", quiet));
        Alert disk = firing("Disk full", Map.of());
        accept(notifier, disk);
        accept(notifier, resolved(disk));
        assertThat(sent).extracting(Sent::statuses).containsExactly(List.of(Status.FIRING));
    }

    @Test
    void twoMatchingRoutesToOneSinkDeliverOnce() {
        Notifier notifier = notifier(Route.toAll(List.of("slack")), Route.toAll(List.of("slack", "mail")));
        accept(notifier, firing("Disk full", Map.of()));
        assertThat(sent).extracting(Sent::sink).containsExactly("slack", "mail");
    }

    @Test
    void aGroupWaitsGroupWaitThenGroupIntervalForChangesAndRepeatsUnchangedAfterRepeatInterval() {
        Notifier notifier = notifier(route("slack", groupBy("service")));
        accept(notifier, firing("db-1 down", Map.of("service", "db", "host", "db-1")));
        clock.advance(Duration.ofSeconds(10));
        accept(notifier, firing("db-2 down", Map.of("service", "db", "host", "db-2")));
        accept(notifier, firing("web-1 down", Map.of("service", "web", "host", "web-1")));
        assertThat(notifier.tick()).isZero();
        clock.advance(Duration.ofSeconds(19));
        assertThat(notifier.tick()).as("29s after the db group appeared").isZero();
        clock.advance(Duration.ofSeconds(1));
        notifier.tick();
        assertThat(sent).containsExactly(new Sent("slack", List.of("db-1 down", "db-2 down"),
                List.of(Status.FIRING, Status.FIRING)));
        clock.advance(Duration.ofSeconds(10));
        notifier.tick();
        assertThat(sent).hasSize(2).last().extracting(Sent::titles).isEqualTo(List.of("web-1 down"));

        // the db group: a new alert waits for group-interval (5m after its last notification)
        sent.clear();
        accept(notifier, firing("db-3 down", Map.of("service", "db", "host", "db-3")));
        accept(notifier, firing("db-1 down", Map.of("service", "db", "host", "db-1"))); // a repeat: no change
        clock.advance(Duration.ofMinutes(4));
        notifier.tick();
        assertThat(sent).isEmpty();
        clock.advance(Duration.ofMinutes(1).minusSeconds(10));
        notifier.tick();
        assertThat(sent).containsExactly(new Sent("slack", List.of("db-1 down", "db-2 down", "db-3 down"),
                List.of(Status.FIRING, Status.FIRING, Status.FIRING)));

        // unchanged: nothing at the next intervals, everything again after repeat-interval
        sent.clear();
        for (int i = 0; i < 47; i++) {
            clock.advance(Grouping.DEFAULT_GROUP_INTERVAL);
            notifier.tick();
        }
        assertThat(sent).as("4h after the last notification is not reached yet").isEmpty();
        clock.advance(Grouping.DEFAULT_GROUP_INTERVAL);
        notifier.tick();
        assertThat(sent).extracting(Sent::titles).containsExactlyInAnyOrder(
                List.of("db-1 down", "db-2 down", "db-3 down"), List.of("web-1 down"));
    }

    @Test
    void aResolutionInAGroupIsSentOnceWithTheGroupThenDropped() {
        Notifier notifier = notifier(route("slack", groupBy("service")));
        Alert one = firing("db-1 down", Map.of("service", "db", "host", "db-1"));
        Alert two = firing("db-2 down", Map.of("service", "db", "host", "db-2"));
        accept(notifier, one);
        accept(notifier, two);
        clock.advance(Grouping.DEFAULT_GROUP_WAIT);
        notifier.tick();
        sent.clear();
        accept(notifier, resolved(one));
        accept(notifier, resolved(one));
        clock.advance(Grouping.DEFAULT_GROUP_INTERVAL);
        notifier.tick();
        assertThat(sent).containsExactly(new Sent("slack", List.of("db-1 down", "db-2 down"),
                List.of(Status.RESOLVED, Status.FIRING)));
        sent.clear();
        accept(notifier, resolved(one));
        accept(notifier, resolved(two));
        clock.advance(Grouping.DEFAULT_GROUP_INTERVAL);
        notifier.tick();
        assertThat(sent).as("db-1's resolution was sent already").containsExactly(new Sent("slack",
                List.of("db-2 down"), List.of(Status.RESOLVED)));
        assertThat(notifier.openGroups()).isZero();
    }

    @Test
    void anAlertThatFiresAndResolvesWithinGroupWaitIsNeverSent() {
        Notifier notifier = notifier(route("slack", groupBy("service")));
        Alert blip = firing("blip", Map.of("service", "db"));
        accept(notifier, blip);
        accept(notifier, resolved(blip));
        clock.advance(Grouping.DEFAULT_GROUP_WAIT);
        notifier.tick();
        assertThat(sent).isEmpty();
        assertThat(notifier.openGroups()).isZero();
    }

    @Test
    void groupByAllLabelsMakesAGroupPerLabelSet() {
        Grouping all = new Grouping(Optional.of(Grouping.ALL), Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ofHours(1), true);
        Notifier notifier = notifier(route("slack", all));
        accept(notifier, firing("a", Map.of("host", "1")));
        accept(notifier, firing("b", Map.of("host", "1")));
        accept(notifier, firing("c", Map.of("host", "2")));
        clock.advance(Duration.ofSeconds(5));
        notifier.tick();
        assertThat(sent).extracting(Sent::titles).containsExactlyInAnyOrder(List.of("a", "b"), List.of("c"));
    }

    @Test
    void silencedAlertsAreCountedAndNeverSentAlsoWhenTheSilenceCameWhileTheyWaitedInAGroup() {
        Notifier notifier = notifier(route("pager", Grouping.defaults()), route("slack", groupBy("service")));
        notifier.silences().add(List.of(Matcher.parse("service=batch")), Optional.empty(),
                clock.instant().plus(Duration.ofMinutes(10)), "ana", "rework");
        accept(notifier, firing("batch late", Map.of("service", "batch")));
        accept(notifier, firing("db down", Map.of("service", "db")));
        assertThat(sent).extracting(Sent::sink, Sent::titles)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pager", List.of("db down")));
        notifier.silences().add(List.of(Matcher.parse("service=db")), Optional.empty(),
                clock.instant().plus(Duration.ofMinutes(10)), "ana", "db maintenance");
        clock.advance(Grouping.DEFAULT_GROUP_WAIT);
        notifier.tick();
        assertThat(sent).hasSize(1);
        assertThat(notifier.silencedCount()).isEqualTo(2);
        assertThat(metrics.get("alertrelay.silenced").counter().count()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(10));
        accept(notifier, firing("batch late", Map.of("service", "batch")));
        assertThat(sent).as("the silence expired").extracting(Sent::titles).last().isEqualTo(List.of("batch late"));
    }

    @Test
    void aGroupKeepsItsOrderAcrossARestart() {
        Route grouped = route("slack", groupBy("service"));
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Notifier notifier = notifier(store, grouped);
            for (String title : new String[] {"zeta", "alpha", "mid"}) {
                accept(notifier, firing(title, Map.of("service", "db")));
                clock.advance(Duration.ofMillis(1));
            }
            notifier.close();
        }
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Notifier notifier = notifier(store, grouped);
            clock.advance(Grouping.DEFAULT_GROUP_WAIT);
            notifier.tick();
            assertThat(sent).extracting(Sent::titles).containsExactly(List.of("zeta", "alpha", "mid"));
            notifier.close();
        }
    }

    @Test
    void repeatStateAndWaitingGroupsSurviveARestart() {
        Alert disk = firing("Disk full", Map.of("service", "db"));
        Route single = route("pager", Grouping.defaults());
        Route grouped = route("slack", groupBy("service"));
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Notifier notifier = notifier(store, single, grouped);
            accept(notifier, disk);
            clock.advance(Duration.ofSeconds(10));
            notifier.close();
        }
        assertThat(sent).extracting(Sent::sink).containsExactly("pager");
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Notifier notifier = notifier(store, single, grouped);
            assertThat(notifier.openGroups()).isEqualTo(1);
            accept(notifier, disk);
            assertThat(sent).as("not repeated after the restart").hasSize(1);
            clock.advance(Duration.ofSeconds(19));
            notifier.tick();
            assertThat(sent).hasSize(1);
            clock.advance(Duration.ofSeconds(1));
            notifier.tick();
            assertThat(sent).last().isEqualTo(new Sent("slack", List.of("Disk full"), List.of(Status.FIRING)));
            notifier.close();
        }
        try (MvStoreStateStore store = MvStoreStateStore.open(dir)) {
            Notifier notifier = notifier(store, single, grouped);
            accept(notifier, resolved(disk));
            assertThat(sent).last().isEqualTo(new Sent("pager", List.of("Disk full"), List.of(Status.RESOLVED)));
            clock.advance(Grouping.DEFAULT_GROUP_INTERVAL);
            notifier.tick();
            assertThat(sent).last().isEqualTo(new Sent("slack", List.of("Disk full"), List.of(Status.RESOLVED)));
            notifier.close();
        }
    }

    @Test
    void repeatStateIsForgottenOnceItCanNoLongerDecideAnything() {
        Notifier notifier = notifier(Route.toAll(List.of("slack")));
        Alert disk = firing("Disk full", Map.of());
        Alert cpu = firing("CPU hot", Map.of());
        accept(notifier, disk);
        accept(notifier, cpu);
        accept(notifier, resolved(cpu));
        assertThat(notifier.rememberedAlerts()).isEqualTo(2);
        clock.advance(Grouping.DEFAULT_REPEAT_INTERVAL.minusMinutes(10));
        accept(notifier, resolved(cpu)); // seen again: its resolution stays remembered from now
        clock.advance(Duration.ofMinutes(10));
        notifier.tick();
        assertThat(notifier.rememberedAlerts()).as("disk's notification is 4h old").isEqualTo(1);
        accept(notifier, resolved(cpu));
        assertThat(sent).as("cpu's resolution is still known as sent").hasSize(3);
    }
}
