package io.alertrelay.app;

import io.alertrelay.core.DeliveryClaims;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.core.outbox.Outbox;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.spi.Subscription;
import io.alertrelay.spi.SubscriptionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration file while the relay runs (SIGHUP, {@code POST /-/reload}). What takes effect: sinks
 * (added, changed, removed), routes, and added subscriptions. A subscription that stays is never touched, so its Redis
 * subscription is never dropped; a new one is subscribed before anything else changes.
 *
 * <p>Everything else (Redis, the watchdog, http, events, delivery, shutdown) and removing a subscription (the
 * watchdog's canaries are derived from the subscriptions) need a restart: such a reload is rejected with
 * {@code needs a restart: <key>} for each changed key, values never shown. A reload whose file is invalid is rejected
 * with its problems. A rejected reload changes nothing: the old configuration keeps running.
 *
 * <p>Metrics: {@code alertrelay_config_reloads_total{result="applied|rejected"}},
 * {@code alertrelay_config_info{hash}} (1 for the live configuration), {@code alertrelay_config_last_reload_ok}
 * (1 when the last reload was applied or none was tried, 0 after a rejected one).
 */
final class Reloader {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);
    private static final Set<String> RELOADABLE = Set.of("sinks", "routes", "subscriptions");

    private final Supplier<ConfigLoader.Loaded> loader;
    private final Map<String, SinkFactory> factories;
    private final Clock clock;
    private final Pipeline pipeline;
    private final SubscriptionRegistry registry;
    private final Outbox outbox;
    private final DeliveryClaims claims;
    private final MeterRegistry metrics;
    private final java.util.function.Consumer<List<SinkWorker>> sinksChanged;
    private final AtomicInteger lastReloadOk = new AtomicInteger(1);

    // guarded by this
    private RelayConfig current;
    private Map<String, String> currentFlat;
    private Instant loadedAt;
    private Map<String, Object> lastReload = Map.of();
    private Gauge info;

    /**
     * The outcome of one reload.
     *
     * @param applied  whether the new configuration is live
     * @param hash     the live configuration's hash afterwards
     * @param changes  what changed ({@code sinks.x: added}), when applied
     * @param problems why it was rejected: the file's problems, or {@code needs a restart: <key>}
     */
    record Result(boolean applied, String hash, List<String> changes, List<String> problems) {}

    Reloader(Supplier<ConfigLoader.Loaded> loader, Map<String, SinkFactory> factories, Clock clock,
             RelayConfig initial, Map<String, Object> initialTree, Pipeline pipeline, SubscriptionRegistry registry,
             Outbox outbox, DeliveryClaims claims, MeterRegistry metrics,
             java.util.function.Consumer<List<SinkWorker>> sinksChanged) {
        this.loader = loader;
        this.factories = factories;
        this.clock = clock;
        this.pipeline = pipeline;
        this.registry = registry;
        this.outbox = outbox;
        this.claims = claims;
        this.metrics = metrics;
        this.sinksChanged = sinksChanged;
        this.current = initial;
        this.currentFlat = flatten(initialTree);
        this.loadedAt = clock.instant();
        for (String result : List.of("applied", "rejected")) {
            reloads(result);
        }
        Gauge.builder("alertrelay.config.last.reload.ok", lastReloadOk, AtomicInteger::get)
                .description("1 when the last configuration reload was applied (or none was tried), 0 after a rejected one")
                .register(metrics);
        registerInfo(initial);
    }

    synchronized RelayConfig current() {
        return current;
    }

    /** What {@code /status} shows under {@code config}. */
    synchronized Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("origin", current.origin());
        status.put("hash", current.hash());
        status.put("loadedAt", loadedAt.toString());
        if (!lastReload.isEmpty()) {
            status.put("lastReload", lastReload);
        }
        return status;
    }

    /** Reloads the file; never throws. {@code trigger} says who asked (SIGHUP, POST /-/reload from ...). */
    synchronized Result reload(String trigger) {
        log.info("Configuration reload requested ({}): {}", trigger, current.origin());
        Result result;
        try {
            result = apply();
        } catch (RuntimeException e) {
            log.error("Configuration reload failed unexpectedly; the previous configuration keeps running", e);
            result = new Result(false, current.hash(), List.of(),
                    List.of("reload failed: " + e.getClass().getSimpleName()));
        }
        reloads(result.applied() ? "applied" : "rejected").increment();
        lastReloadOk.set(result.applied() ? 1 : 0);
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("at", clock.instant().toString());
        last.put("trigger", trigger);
        last.put("result", result.applied() ? "applied" : "rejected");
        last.put(result.applied() ? "changes" : "problems", result.applied() ? result.changes() : result.problems());
        lastReload = last;
        if (result.applied()) {
            log.info("Configuration reloaded ({}), now sha256 {}: {}", trigger, result.hash(),
                    result.changes().isEmpty() ? "no change" : String.join("; ", result.changes()));
        } else {
            log.error("Configuration reload rejected ({}); still running sha256 {}:{}{}", trigger, current.hash(),
                    System.lineSeparator() + "  ", String.join(System.lineSeparator() + "  ", result.problems()));
        }
        return result;
    }

    private Result apply() {
        ConfigLoader.Loaded loaded;
        RelayConfig next;
        try {
            loaded = loader.get();
            next = RelayConfig.parse(loaded, factories, clock);
        } catch (ConfigurationException e) {
            return new Result(false, current.hash(), List.of(), e.problems());
        }
        Map<String, String> flat = flatten(loaded.tree());
        List<String> restart = new ArrayList<>();
        Set<String> keys = new TreeSet<>(currentFlat.keySet());
        keys.addAll(flat.keySet());
        for (String key : keys) {
            if (!RELOADABLE.contains(topLevel(key)) && !Objects.equals(currentFlat.get(key), flat.get(key))) {
                restart.add("needs a restart: " + key);
            }
        }
        Set<Subscription> wanted = new LinkedHashSet<>(next.subscriptions());
        for (Subscription subscription : current.subscriptions()) {
            if (!wanted.contains(subscription)) {
                restart.add("needs a restart: subscriptions (removing " + subscription + " changes the watchdog's "
                        + "canaries)");
            }
        }
        if (!restart.isEmpty()) {
            return new Result(false, current.hash(), List.of(), restart);
        }

        List<String> changes = new ArrayList<>();
        Map<String, SinkSpec> before = new LinkedHashMap<>();
        current.sinks().forEach(spec -> before.put(spec.id(), spec));
        List<SinkSpec> toCreate = new ArrayList<>();
        for (SinkSpec spec : next.sinks()) {
            if (!before.containsKey(spec.id())) {
                toCreate.add(spec);
                changes.add("sinks." + spec.id() + ": added");
            } else if (!subtree(currentFlat, "sinks." + spec.id()).equals(subtree(flat, "sinks." + spec.id()))) {
                toCreate.add(spec);
                changes.add("sinks." + spec.id() + ": changed");
            }
        }
        Set<String> removed = new LinkedHashSet<>(before.keySet());
        next.sinks().forEach(spec -> removed.remove(spec.id()));
        removed.forEach(id -> changes.add("sinks." + id + ": removed (its undelivered notifications stay in the outbox)"));
        boolean sinkIdsChanged = !before.keySet().equals(new LinkedHashSet<>(next.sinks().stream()
                .map(SinkSpec::id).toList()));
        if (!subtree(currentFlat, "routes").equals(subtree(flat, "routes"))
                || (subtree(flat, "routes").isEmpty() && sinkIdsChanged)) { // the default route: every sink
            changes.add("routes: replaced");
        }

        List<SinkInstance> created = new ArrayList<>();
        try {
            for (SinkSpec spec : toCreate) {
                created.add(spec.create(clock));
            }
            List<String> refused = Main.verifySinks(created);
            if (!refused.isEmpty()) {
                created.forEach(instance -> instance.sink().close());
                return new Result(false, current.hash(), List.of(), refused);
            }
        } catch (RuntimeException e) {
            created.forEach(instance -> instance.sink().close());
            return new Result(false, current.hash(), List.of(), List.of("sinks: a sink failed to start: "
                    + e.getClass().getSimpleName()));
        }
        List<SinkWorker> workers = new ArrayList<>();
        for (SinkInstance instance : created) {
            removeGauges(instance.id()); // so the new worker's queue, age and dead-letter gauges are its own
            if (outbox instanceof io.alertrelay.core.outbox.MvStoreOutbox store) {
                instance.state().bind(store.sinkState(instance.id()));
            }
            SinkWorker worker = new SinkWorker(instance.id(), instance.type(), instance.sink(), instance.policy(),
                    outbox, clock, metrics);
            worker.useRate(instance.rate().orElse(null));
            if (next.delivery().claims().enabled()) {
                worker.useClaims(claims);
            }
            workers.add(worker);
        }
        // subscribe first: a new subscription is live before routes may send its alerts anywhere new
        for (Subscription subscription : next.subscriptions()) {
            if (registry.add(subscription)) {
                changes.add("subscriptions: added " + subscription + " (covered by no canary until a restart)");
            }
        }
        pipeline.reconfigure(next.routes(), workers, removed, next.shutdownTimeout());
        removed.forEach(this::removeGauges);
        sinksChanged.accept(workers); // the watchdog's FAILED and DEGRADED judgements follow the new workers

        current = next;
        currentFlat = flat;
        loadedAt = clock.instant();
        registerInfo(next);
        log.info("{}", next.describe());
        return new Result(true, next.hash(), changes, List.of());
    }

    private Counter reloads(String result) {
        return Counter.builder("alertrelay.config.reloads").description("Configuration reloads, by result")
                .tag("result", result).register(metrics);
    }

    private void registerInfo(RelayConfig config) {
        if (info != null) {
            metrics.remove(info);
        }
        info = Gauge.builder("alertrelay.config.info", () -> 1.0).description("The live configuration: 1, tagged with "
                + "the first 12 hex digits of its SHA-256").tag("hash", config.hash()).register(metrics);
    }

    private void removeGauges(String sinkId) {
        for (Meter meter : metrics.getMeters()) {
            if (meter instanceof Gauge && sinkId.equals(meter.getId().getTag("sink"))) {
                metrics.remove(meter);
            }
        }
    }

    private static String topLevel(String key) {
        int end = key.length();
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) == '.' || key.charAt(i) == '[') {
                end = i;
                break;
            }
        }
        return key.substring(0, end);
    }

    private static Map<String, String> subtree(Map<String, String> flat, String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        flat.forEach((key, value) -> {
            if (key.equals(prefix) || key.startsWith(prefix + ".") || key.startsWith(prefix + "[")) {
                result.put(key, value);
            }
        });
        return result;
    }

    /** Every leaf as {@code full.key} or {@code list[i]} to its text; null for an empty value. */
    static Map<String, String> flatten(Map<String, Object> tree) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", tree, flat);
        return flat;
    }

    private static void flatten(String at, Object value, Map<String, String> flat) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                flat.put(at, "{}");
            }
            map.forEach((key, child) -> flatten(at.isEmpty() ? String.valueOf(key) : at + "." + key, child, flat));
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                flat.put(at, "[]");
            }
            for (int i = 0; i < list.size(); i++) {
                flatten(at + "[" + i + "]", list.get(i), flat);
            }
        } else {
            flat.put(at, value == null ? null : String.valueOf(value));
        }
    }
}
