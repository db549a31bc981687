package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.core.outbox.AlertJson;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Fingerprint;
import io.alertrelay.spi.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between routing and the sinks: silences, the repeat rule and groups. Called by the {@link Pipeline} with the routes
 * an alert took; hands notifications (one alert, or a group's alerts) to a {@link Deliveries}.
 *
 * <ul>
 *   <li><b>Silences</b> first: an alert an active {@link Silence} matches is counted ({@code alertrelay.silenced})
 *       and never sent, on any route; a group's alerts are checked again when the group notifies.</li>
 *   <li><b>Without {@code group-by}</b> each alert is its own notification, at once, unless it is a repeat: the same
 *       {@link Fingerprint} firing again on the same route within {@code repeat-interval} of its last notification,
 *       or a resolution already sent. A resolution is sent once ({@code send-resolved}, default true), also when
 *       the relay never saw the alert fire (it cannot know it was not sent).</li>
 *   <li><b>With {@code group-by}</b> alerts with the same values of those names (per route) form a group, Alertmanager
 *       style: the first notification {@code group-wait} after the group appeared, then at most every
 *       {@code group-interval} when something changed (a new alert, a resolution), and every {@code repeat-interval}
 *       while it keeps firing unchanged. Each notification carries every firing alert of the group and those resolved
 *       since the last one.</li>
 * </ul>
 *
 * <p>State (last notification per route and fingerprint, open groups and their alerts) lives in a
 * {@link StateStore}, so a restart neither repeats nor forgets. Timers run on the injected {@link Clock}: tests call
 * {@link #tick()} on a manual clock; {@link #start()} runs a thread that ticks on the real one. Thread-safe.
 */
public final class Notifier implements AutoCloseable {
    /** Receives the notifications: one call per sink. */
    @FunctionalInterface
    public interface Deliveries {
        void deliver(String sinkId, List<Alert> alerts);
    }

    static final String NOTIFIED = "notified";
    static final String GROUPS = "groups";
    static final String GROUP_ALERTS = "group-alerts";
    /** Longest real-time wait of the ticking thread. */
    private static final long TICK_MILLIS = 500;
    /** How often repeat state is pruned. */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
    private static final String SEP = "\u0000";
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile Router router;
    private final Silences silences;
    private final StateStore store;
    private final Clock clock;
    private final Counter silenced;
    private final Counter deduplicated;
    private final Map<String, Route> routesByKey = new HashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();   // guarded by this
    private final Map<String, Instant> unroutedLogged = new HashMap<>(); // guarded by itself
    private volatile Deliveries deliveries = (sink, alerts) -> {};
    private Instant lastPrune;
    private Thread thread;
    private volatile boolean running;

    /** A notifier whose state lives only in memory, with no silences: what a bare {@link Pipeline} uses. */
    public static Notifier inMemory(Router router, Clock clock, MeterRegistry metrics) {
        return new Notifier(router, Silences.inMemory(clock), new InMemoryStateStore(), clock, metrics);
    }

    public Notifier(Router router, Silences silences, StateStore store, Clock clock, MeterRegistry metrics) {
        this.router = requireNonNull(router, "router is null");
        this.silences = requireNonNull(silences, "silences is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.silenced = Counter.builder("alertrelay.silenced").description("Alerts a silence kept from being sent")
                .register(metrics);
        this.deduplicated = Counter.builder("alertrelay.alerts.deduplicated")
                .description("Alerts not sent again: the same firing alert within repeat-interval, or a resolution "
                        + "already sent").register(metrics);
        Gauge.builder("alertrelay.groups.open", this, Notifier::openGroups)
                .description("Groups (routes with group-by) holding alerts").register(metrics);
        Gauge.builder("alertrelay.silences.active", silences, Silences::activeCount)
                .description("Silences in force now").register(metrics);
        for (Route route : router.all()) {
            routesByKey.put(router.key(route), route);
        }
        this.lastPrune = clock.instant();
        loadGroups();
    }

    public Router router() {
        return router;
    }

    /**
     * Routes from now on (a configuration reload). Repeat state and open groups are keyed by route: those of routes that
     * stay are kept; a group of a route that is gone is still sent when due, to the sinks it was made for.
     */
    public synchronized void reroute(Router next) {
        this.router = requireNonNull(next, "next is null");
        for (Route route : next.all()) {
            routesByKey.put(next.key(route), route);
        }
    }

    public Silences silences() {
        return silences;
    }

    public Clock clock() {
        return clock;
    }

    /** Where notifications go; set by the pipeline before it starts. */
    public void deliverTo(Deliveries deliveries) {
        this.deliveries = requireNonNull(deliveries, "deliveries is null");
    }

    /** Alerts silenced since start. */
    public long silencedCount() {
        return (long) silenced.count();
    }

    public synchronized int openGroups() {
        return groups.size();
    }

    /** Takes an alert on the routes it matched (non-empty). */
    public void accept(Alert alert, List<Route> routes) {
        Optional<Silence> silence = silences.silencing(alert);
        if (silence.isPresent()) {
            silenced.increment();
            log.debug("Alert {} on {} silenced by {}", alert.id(), alert.origin().channel(), silence.get().id());
            return;
        }
        String fingerprint = Fingerprint.of(alert);
        Set<String> sent = new HashSet<>();
        for (Route route : routes) {
            Grouping grouping = route.grouping();
            if (grouping.grouped()) {
                addToGroup(route, alert, fingerprint);
            } else if (firstNotice(router.key(route), alert, fingerprint, grouping)) {
                for (String sink : route.sinks()) {
                    if (sent.add(sink)) {
                        deliveries.deliver(sink, List.of(alert));
                    }
                }
            }
        }
    }

    /** Whether an alert no route took should be logged now: once per channel per hour. */
    public boolean logUnrouted(String channel) {
        Instant now = clock.instant();
        synchronized (unroutedLogged) {
            Instant last = unroutedLogged.get(channel);
            if (last != null && Duration.between(last, now).compareTo(Duration.ofHours(1)) < 0) {
                return false;
            }
            if (unroutedLogged.size() >= 10_000) {
                unroutedLogged.clear();
            }
            unroutedLogged.put(channel, now);
            return true;
        }
    }

    // --- without group-by: the repeat rule --------------------------------------------------------------------

    /** The stored {@code <status> <notified at> <seen at>} of one fingerprint on one route. */
    private record Seen(Status status, Instant notifiedAt, Instant seenAt) {
        static Optional<Seen> parse(String text) {
            String[] parts = text.split(" ");
            if (parts.length != 3) {
                return Optional.empty();
            }
            try {
                return Status.fromWireName(parts[0]).map(status -> new Seen(status,
                        Instant.ofEpochMilli(Long.parseLong(parts[1])), Instant.ofEpochMilli(Long.parseLong(parts[2]))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        String format() {
            return status.wireName() + " " + notifiedAt.toEpochMilli() + " " + seenAt.toEpochMilli();
        }
    }

    private synchronized boolean firstNotice(String routeKey, Alert alert, String fingerprint, Grouping grouping) {
        String key = routeKey + SEP + fingerprint;
        Instant now = clock.instant();
        Optional<Seen> previous = store.get(NOTIFIED, key).flatMap(Seen::parse);
        if (alert.status() == Status.FIRING) {
            if (previous.isPresent() && previous.get().status() == Status.FIRING
                    && now.isBefore(previous.get().notifiedAt().plus(grouping.repeatInterval()))) {
                store.put(NOTIFIED, key, new Seen(Status.FIRING, previous.get().notifiedAt(), now).format());
                deduplicated.increment();
                return false;
            }
            store.put(NOTIFIED, key, new Seen(Status.FIRING, now, now).format());
            return true;
        }
        if (previous.isPresent() && previous.get().status() == Status.RESOLVED) {
            store.put(NOTIFIED, key, new Seen(Status.RESOLVED, previous.get().notifiedAt(), now).format());
            deduplicated.increment();
            return false;
        }
        store.put(NOTIFIED, key, new Seen(Status.RESOLVED, now, now).format());
        return grouping.sendResolved();
    }

    // --- with group-by ------------------------------------------------------------------------------------------

    /** One alert of a group and the status it had in the group's last notification (null: not notified yet). */
    private static final class Member {
        Alert alert;
        Status notified;
        /** Whether the group saw it fire: a resolution of an alert seen firing but never notified is not sent. */
        boolean sawFiring;
        /** When it joined the group: a group lists its alerts in this order, also after a restart. */
        final Instant joinedAt;

        Member(Alert alert, Status notified, boolean sawFiring, Instant joinedAt) {
            this.alert = alert;
            this.notified = notified;
            this.sawFiring = sawFiring;
            this.joinedAt = joinedAt;
        }
    }

    private static final class Group {
        final String id;
        final String routeKey;
        final Route route;
        final Map<String, String> labels;
        final Map<String, Member> members = new LinkedHashMap<>();
        Instant nextFlushAt;
        Instant lastNotifiedAt;

        Group(String id, String routeKey, Route route, Map<String, String> labels, Instant nextFlushAt,
              Instant lastNotifiedAt) {
            this.id = id;
            this.routeKey = routeKey;
            this.route = route;
            this.labels = labels;
            this.nextFlushAt = nextFlushAt;
            this.lastNotifiedAt = lastNotifiedAt;
        }
    }

    /** The values a group is made of: the {@code group-by} names (every label for {@code [...]}). */
    static Map<String, String> groupLabels(Grouping grouping, Alert alert) {
        Map<String, String> labels = new TreeMap<>();
        if (grouping.byAllLabels()) {
            labels.putAll(alert.labels());
        } else {
            for (String name : grouping.groupBy().orElseThrow()) {
                labels.put(name, Matcher.value(alert, name));
            }
        }
        return labels;
    }

    private synchronized void addToGroup(Route route, Alert alert, String fingerprint) {
        String routeKey = router.key(route);
        Map<String, String> labels = groupLabels(route.grouping(), alert);
        String id = routeKey + labels;
        Group group = groups.get(id);
        Instant now = clock.instant();
        if (group == null) {
            group = new Group(id, routeKey, route, labels, now.plus(route.grouping().groupWait()), null);
            groups.put(id, group);
            saveGroup(group);
        }
        Member member = group.members.get(fingerprint);
        if (member == null) {
            if (alert.status() == Status.RESOLVED && store.get(NOTIFIED, routeKey + SEP + fingerprint)
                    .flatMap(Seen::parse).map(seen -> seen.status() == Status.RESOLVED).orElse(false)) {
                deduplicated.increment(); // its resolution was sent already
                if (group.members.isEmpty()) {
                    groups.remove(id);
                    store.remove(GROUPS, id);
                }
                return;
            }
            member = new Member(alert, null, alert.status() == Status.FIRING, now);
            group.members.put(fingerprint, member);
        } else {
            if (member.alert.status() == Status.FIRING && alert.status() == Status.FIRING) {
                deduplicated.increment();
            }
            member.alert = alert;
            member.sawFiring |= alert.status() == Status.FIRING;
        }
        saveMember(group, fingerprint, member);
    }

    /** Sends every group that is due. Returns how many notifications (group x sink) were handed over. */
    public synchronized int tick() {
        Instant now = clock.instant();
        int handed = 0;
        for (Group group : new ArrayList<>(groups.values())) {
            if (!now.isBefore(group.nextFlushAt)) {
                handed += flush(group, now);
            }
        }
        if (Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) >= 0) {
            prune(now);
            lastPrune = now;
        }
        return handed;
    }

    private int flush(Group group, Instant now) {
        Grouping grouping = group.route.grouping();
        boolean changed = false;
        boolean firing = false;
        List<Alert> send = new ArrayList<>();
        for (Member member : group.members.values()) {
            Status status = member.alert.status();
            if (status == Status.FIRING) {
                firing = true;
                send.add(member.alert);
                changed |= member.notified != Status.FIRING;
            } else if (grouping.sendResolved() && member.notified != Status.RESOLVED
                    && (member.notified == Status.FIRING || !member.sawFiring)) {
                send.add(member.alert);
                changed = true;
            }
        }
        boolean repeatDue = firing && group.lastNotifiedAt != null
                && !now.isBefore(group.lastNotifiedAt.plus(grouping.repeatInterval()));
        int handed = 0;
        if ((changed || repeatDue) && !send.isEmpty()) {
            List<Alert> unsilenced = new ArrayList<>(send.size());
            for (Alert alert : send) {
                if (silences.silencing(alert).isPresent()) {
                    silenced.increment();
                } else {
                    unsilenced.add(alert);
                }
            }
            if (!unsilenced.isEmpty()) {
                for (String sink : group.route.sinks()) {
                    deliveries.deliver(sink, List.copyOf(unsilenced));
                    handed++;
                }
                group.lastNotifiedAt = now;
            }
        }
        for (var entries = group.members.entrySet().iterator(); entries.hasNext(); ) {
            var entry = entries.next();
            Member member = entry.getValue();
            if (member.alert.status() == Status.RESOLVED) {
                store.put(NOTIFIED, group.routeKey + SEP + entry.getKey(), new Seen(Status.RESOLVED, now, now).format());
                entries.remove();
                store.remove(GROUP_ALERTS, group.id + SEP + entry.getKey());
            } else if (member.notified != Status.FIRING) {
                member.notified = Status.FIRING;
                saveMember(group, entry.getKey(), member);
            }
        }
        if (group.members.isEmpty()) {
            groups.remove(group.id);
            store.remove(GROUPS, group.id);
        } else {
            group.nextFlushAt = now.plus(grouping.groupInterval());
            saveGroup(group);
        }
        return handed;
    }

    /**
     * Forgets repeat state that no longer decides anything: a firing alert notified {@code repeat-interval} ago or
     * more (it would be sent again anyway; a resolution of an alert the relay does not know is sent too), a
     * resolution not seen again for {@code repeat-interval}, and the state of routes no longer configured.
     */
    private void prune(Instant now) {
        store.removeIf(NOTIFIED, (key, value) -> {
            Optional<Seen> seen = Seen.parse(value);
            Route route = routesByKey.get(key.substring(0, Math.max(0, key.indexOf(SEP))));
            if (seen.isEmpty() || route == null) {
                return true;
            }
            Instant from = seen.get().status() == Status.FIRING ? seen.get().notifiedAt() : seen.get().seenAt();
            return !now.isBefore(from.plus(route.grouping().repeatInterval()));
        });
    }

    /** Repeat-rule entries kept now (one per route and alert notified within its repeat-interval). */
    public int rememberedAlerts() {
        int[] count = {0};
        store.removeIf(NOTIFIED, (key, value) -> {
            count[0]++;
            return false;
        });
        return count[0];
    }

    private void saveGroup(Group group) {
        ObjectNode node = JSON.createObjectNode();
        node.put("route", group.routeKey);
        ObjectNode labels = node.putObject("labels");
        group.labels.forEach(labels::put);
        node.put("nextFlushAt", group.nextFlushAt.toString());
        if (group.lastNotifiedAt != null) {
            node.put("lastNotifiedAt", group.lastNotifiedAt.toString());
        }
        store.put(GROUPS, group.id, node.toString());
    }

    private void saveMember(Group group, String fingerprint, Member member) {
        ObjectNode node = JSON.createObjectNode();
        if (member.notified != null) {
            node.put("notified", member.notified.wireName());
        }
        node.put("sawFiring", member.sawFiring);
        node.put("joinedAt", member.joinedAt.toString());
        node.put("alert", AlertJson.write(member.alert));
        store.put(GROUP_ALERTS, group.id + SEP + fingerprint, node.toString());
    }

    /** Reads the open groups back; those of routes no longer configured are sent at once to their old sinks' ids. */
    private synchronized void loadGroups() {
        for (Map.Entry<String, String> entry : store.entries(GROUPS).entrySet()) {
            try {
                JsonNode node = JSON.readTree(entry.getValue());
                Route route = routesByKey.get(node.path("route").asText());
                if (route == null || !route.grouping().grouped()) {
                    log.warn("Group {} belongs to a route no longer configured with group-by; its alerts are "
                            + "dropped from grouping (they notify again when published again)", entry.getKey());
                    store.remove(GROUPS, entry.getKey());
                    continue;
                }
                Map<String, String> labels = new TreeMap<>();
                node.path("labels").fields().forEachRemaining(field -> labels.put(field.getKey(),
                        field.getValue().asText()));
                Group group = new Group(entry.getKey(), node.path("route").asText(), route, labels,
                        Instant.parse(node.path("nextFlushAt").asText()),
                        node.hasNonNull("lastNotifiedAt") ? Instant.parse(node.path("lastNotifiedAt").asText()) : null);
                groups.put(group.id, group);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("Group {} in the state store could not be read ({}); dropped", entry.getKey(),
                        e.getClass().getSimpleName());
                store.remove(GROUPS, entry.getKey());
            }
        }
        record Loaded(Group group, String fingerprint, Member member) {}
        List<Loaded> loaded = new ArrayList<>();
        for (Map.Entry<String, String> entry : store.entries(GROUP_ALERTS).entrySet()) {
            int at = entry.getKey().lastIndexOf(SEP);
            Group group = at < 0 ? null : groups.get(entry.getKey().substring(0, at));
            if (group == null) {
                store.remove(GROUP_ALERTS, entry.getKey());
                continue;
            }
            try {
                JsonNode node = JSON.readTree(entry.getValue());
                Status notified = node.hasNonNull("notified")
                        ? Status.fromWireName(node.path("notified").asText()).orElse(null) : null;
                Alert alert = AlertJson.read(node.path("alert").asText());
                Instant joinedAt = node.hasNonNull("joinedAt") ? Instant.parse(node.path("joinedAt").asText())
                        : alert.origin().receivedAt();
                loaded.add(new Loaded(group, entry.getKey().substring(at + 1),
                        new Member(alert, notified, node.path("sawFiring").asBoolean(true), joinedAt)));
            } catch (java.io.IOException | RuntimeException e) {
                store.remove(GROUP_ALERTS, entry.getKey());
            }
        }
        loaded.sort(java.util.Comparator.comparing((Loaded each) -> each.member().joinedAt)
                .thenComparing(Loaded::fingerprint));
        loaded.forEach(each -> each.group().members.put(each.fingerprint(), each.member()));
        groups.values().removeIf(group -> {
            if (group.members.isEmpty()) {
                store.remove(GROUPS, group.id);
                return true;
            }
            return false;
        });
        if (!groups.isEmpty()) {
            log.info("Notification state: {} open group(s) with {} alert(s) resumed", groups.size(),
                    groups.values().stream().mapToInt(group -> group.members.size()).sum());
        }
    }

    /** Starts the thread that sends due groups on the real clock. Idempotent. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "notifier");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                tick();
            } catch (RuntimeException e) {
                log.error("Sending due groups failed; trying again", e);
            }
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the thread and closes the state store; groups still waiting stay in it for the next start. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            this.running = false;
            running = thread;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
    }
}
