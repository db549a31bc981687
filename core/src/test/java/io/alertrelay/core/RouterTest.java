package io.alertrelay.core;

import static io.alertrelay.testing.Alerts.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class RouterTest {
    private final Alert critical = alert("a", "Disk full", Severity.CRITICAL, Map.of("service", "db"));
    private final Alert info = alert("b", "Backup done", Severity.INFO, Map.of("service", "batch"));

    private static Route route(String sink, Optional<Boolean> continueMatching, String... matchers) {
        return new Route(List.of(sink), List.of(), Set.of(), Map.of(), false,
                java.util.Arrays.stream(matchers).map(Matcher::parse).toList(), continueMatching, Grouping.defaults());
    }

    @Test
    void withoutContinueAnywhereEveryMatchingRouteDeliversAsBefore() {
        Route pager = route("pager", Optional.empty(), "severity=critical");
        Route all = route("slack", Optional.empty(), "service=~.+");
        Router router = Router.of(List.of(pager, all));
        assertThat(router.firstMatchWins()).isFalse();
        assertThat(router.select(critical)).containsExactly(pager, all);
        assertThat(router.select(info)).containsExactly(all);
    }

    @Test
    void onceARouteSaysContinueTheFirstMatchWinsUnlessItContinues() {
        Route pager = route("pager", Optional.of(true), "severity=critical");
        Route db = route("db-team", Optional.empty(), "service=db");
        Route rest = route("slack", Optional.empty(), "service=~.+");
        Router router = Router.of(List.of(pager, db, rest));
        assertThat(router.firstMatchWins()).isTrue();
        assertThat(router.select(critical)).containsExactly(pager, db);
        assertThat(router.select(info)).containsExactly(rest);

        Router stop = Router.of(List.of(route("pager", Optional.of(false), "severity=critical"), rest));
        assertThat(stop.select(critical)).extracting(r -> r.sinks().get(0)).containsExactly("pager");
    }

    @Test
    void noMatchGoesToTheDefaultSinksOrNowhere() {
        Route pager = route("pager", Optional.empty(), "severity=critical");
        assertThat(Router.of(List.of(pager)).select(info)).isEmpty();
        Router withDefault = new Router(List.of(pager), List.of("catch-all"));
        assertThat(withDefault.select(info)).singleElement().satisfies(route -> {
            assertThat(route.sinks()).containsExactly("catch-all");
            assertThat(withDefault.key(route)).isEqualTo("default-sinks[catch-all]");
        });
        assertThat(withDefault.select(critical)).containsExactly(pager);
        assertThat(withDefault.key(pager)).isEqualTo("routes[0][pager]");
    }

    @Test
    void aNestedRouteTakesWhatItsParentMatchedAndTheParentOnlyWhatNoChildDid() {
        Route dbPager = route("db-pager", Optional.empty(), "service=db");
        Route dbDisk = route("db-disk", Optional.empty(), "title=~Disk.*");
        Route critical = withChildren(route("pager", Optional.empty(), "severity=critical"), dbPager, dbDisk);
        Route everything = route("slack", Optional.empty(), "service=~.+");
        Router router = Router.of(List.of(critical, everything));

        // the first matching child wins (children always use first-match-wins); the union rule holds at the top
        assertThat(router.select(critical("db", "Disk full"))).extracting(r -> r.sinks().get(0))
                .containsExactly("db-pager", "slack");
        // no child matches: the parent itself
        assertThat(router.select(critical("web", "Latency high"))).extracting(r -> r.sinks().get(0))
                .containsExactly("pager", "slack");
        // a child is never reached without its parent
        assertThat(router.select(info)).extracting(r -> r.sinks().get(0)).containsExactly("slack");

        Route continuing = withChildren(route("pager", Optional.empty(), "severity=critical"),
                route("db-pager", Optional.of(true), "service=db"), dbDisk);
        assertThat(Router.of(List.of(continuing)).select(critical("db", "Disk full")))
                .extracting(r -> r.sinks().get(0)).containsExactly("db-pager", "db-disk");

        assertThat(router.all()).containsExactly(critical, dbPager, dbDisk, everything);
        assertThat(router.key(dbDisk)).isEqualTo("routes[0].routes[1][db-disk]");
    }

    private static Alert critical(String service, String title) {
        return alert("c-" + service, title, Severity.CRITICAL, Map.of("service", service));
    }

    private static Route withChildren(Route route, Route... children) {
        return new Route(route.sinks(), route.channels(), route.severities(), route.labels(), route.canaries(),
                route.matchers(), route.continueMatching(), route.grouping(), List.of(children));
    }
}
