package io.alertrelay.app;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.Grouping;
import io.alertrelay.core.Matcher;
import io.alertrelay.core.Silence;
import io.alertrelay.core.Silences;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.watchdog.WatchdogConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The routing keys of the config: a route's grouping, {@code silences}. */
final class RoutingConfig {
    private RoutingConfig() {}

    /** {@code routes[i].group-by}, {@code group-wait}, {@code group-interval}, {@code repeat-interval}, {@code send-resolved}. */
    static Grouping grouping(TreeConfigView view, ConfigBinder route) {
        Optional<List<String>> groupBy = view.has("group-by")
                ? Optional.of(route.list("group-by", Parsers::string)) : Optional.empty();
        groupBy.ifPresent(names -> route.check(!names.isEmpty(), "group-by",
                "must name at least one label, or be [...] for all labels (leave it out for no grouping)"));
        if (groupBy.isPresent() && groupBy.get().contains("...")) {
            route.check(groupBy.get().size() == 1, "group-by", "[...] (all labels) cannot be combined with names");
            groupBy = Optional.of(Grouping.ALL);
        }
        Duration wait = route.optional("group-wait", Parsers::duration, Grouping.DEFAULT_GROUP_WAIT);
        Duration interval = route.optional("group-interval", Parsers::duration, Grouping.DEFAULT_GROUP_INTERVAL);
        Duration repeat = route.optional("repeat-interval", Parsers::duration, Grouping.DEFAULT_REPEAT_INTERVAL);
        boolean sendResolved = route.optional("send-resolved", Parsers::bool, true);
        if (groupBy.isEmpty()) {
            route.check(!view.has("group-wait"), "group-wait", "needs group-by (without it each alert is "
                    + "sent at once)");
            route.check(!view.has("group-interval"), "group-interval", "needs group-by");
        }
        route.check(!interval.isZero(), "group-interval", "must be more than 0");
        route.check(!repeat.isZero(), "repeat-interval", "must be more than 0");
        if (groupBy.isPresent()) {
            route.check(repeat.compareTo(interval) >= 0, "repeat-interval", "must be at least group-interval ("
                    + interval + ")");
        }
        return new Grouping(groupBy, wait, interval, repeat, sendResolved);
    }

    /** {@code silences: [{matchers, until, starts, comment, author}]}. */
    static List<Silence> silences(TreeConfigView root, List<String> problems) {
        List<Silence> silences = new ArrayList<>();
        if (!root.has("silences")) {
            return silences;
        }
        for (TreeConfigView entry : root.sectionList("silences")) {
            ConfigBinder binder = new ConfigBinder(entry);
            List<Matcher> matchers = binder.list("matchers", Matcher::parse);
            binder.check(entry.has("matchers") && !matchers.isEmpty() || !binder.isValid(), "matchers",
                    "is required: at least one matcher such as \"service=batch\"");
            Optional<Instant> until = binder.optional("until", RoutingConfig::instant);
            binder.check(entry.has("until"), "until", "is required: an ISO-8601 instant such as 2026-12-24T06:00:00Z");
            Optional<Instant> starts = binder.optional("starts", RoutingConfig::instant);
            String comment = binder.optional("comment", Parsers::string, "");
            String author = binder.optional("author", Parsers::string, "config");
            if (until.isPresent() && starts.isPresent()) {
                binder.check(until.get().isAfter(starts.get()), "until", "must be after starts");
            }
            problems.addAll(binder.problems());
            if (binder.isValid() && until.isPresent()) {
                silences.add(Silences.fromConfig(matchers, starts.orElse(Instant.EPOCH), until.get(), author, comment));
            }
        }
        return silences;
    }

    static Instant instant(String value) {
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("is not an ISO-8601 instant (e.g. 2026-12-24T06:00:00Z)");
        }
    }

    static boolean isLoopback(String bind) {
        if (bind.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static void requireNoProblems(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }
}
