package io.alertrelay.it.failover.harness;

import io.alertrelay.source.redis.SourceStatus;
import io.alertrelay.source.redis.SubscriptionState;
import io.alertrelay.testing.redis.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one {@link Fault}: starts the Redis target and the subscribers, runs publishers A and B (250 alerts/s
 * each; 500/s each for the jar) throughout, injects the fault, starts the probe publisher P (20/s, fixed on the new
 * master), waits for the subscribers to deliver from the new master, publishes a little longer, stops, drains, and
 * summarizes per subscriber.
 *
 * <ul>
 *   <li>A asks a sentinel for the master only after an error.</li>
 *   <li>B also follows {@code +switch-master} (subscribed on a sentinel).</li>
 *   <li>P publishes on the node that is master after the fault, so "first delivery from the new master" is measured
 *       even when A and B have no reason to move (FAILOVER, CLIENT KILL).</li>
 * </ul>
 *
 * <p>A subscriber with a watchdog (the jar) also has its reported blind windows judged against the acknowledgements:
 * see {@link WindowJudgement}.
 */
public final class FaultScenario {
    private static final Logger log = LoggerFactory.getLogger(FaultScenario.class);
    /** How long, at most, the jar may take after the publishers stopped to empty its sink queue and close windows. */
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(15);

    /** Who subscribes. */
    public enum Kind {
        /** {@code RedisSource} in this JVM, without the watchdog ({@link Subscriber#relay}). */
        IN_PROCESS,
        /** The assembled jar as a child process, watchdog at its defaults ({@link Subscriber#jar}). */
        JAR,
        /** A bare Lettuce subscriber ({@link Subscriber#bareLettuce}). */
        BARE_LETTUCE
    }

    /**
     * Timings and who is subscribed.
     *
     * @param subscribers      who subscribes, in order (the first is {@link Result#relay()})
     * @param relayConfig      extra {@code redis.*} keys for the in-process relay (the jar always runs on defaults)
     * @param ratePerPublisher alerts/s of A and of B
     * @param drain            after the publishers stopped; the jar then also waits (at most 15 s) until its sink
     *                         queue is empty and no blind window is open
     */
    public record Options(
            List<Kind> subscribers,
            Map<String, Object> relayConfig,
            int ratePerPublisher,
            Duration publishTimeout,
            Duration warmup,
            Duration recoveryTimeout,
            Duration tail,
            Duration drain) {

        public Options {
            subscribers = List.copyOf(subscribers);
            if (subscribers.isEmpty()) {
                throw new IllegalArgumentException("no subscriber");
            }
        }

        /** The suite's in-process settings: relay with short deadlines (as in redis-source's tests), 250/s each. */
        public static Options suite() {
            return new Options(List.of(Kind.IN_PROCESS),
                    Map.of("connect-timeout", "2s", "ping-interval", "500ms", "ping-timeout", "1s"), 250,
                    Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofSeconds(15), Duration.ofSeconds(2),
                    Duration.ofMillis(1500));
        }

        /**
         * The suite's deciding run: the assembled jar, watchdog and source at their defaults, A and B at 500 alerts/s
         * each, at least 2 s of warm-up (then the fault goes in 0.5 s before the watchdog's next canary round), 30 s
         * to recover, 2 s of tail and then until a canary round published after the fault has been judged, publishers
         * running throughout (see {@link JarSubscriber#beforeFault()} and {@link JarSubscriber#afterFault}).
         */
        public static Options jar() {
            return new Options(List.of(Kind.JAR), Map.of(), 500, Duration.ofMillis(500), Duration.ofSeconds(2),
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(1500));
        }

        /** The benchmark's: relay with its defaults and a bare Lettuce subscriber side by side; 30 s to resume. */
        public static Options bench() {
            return new Options(List.of(Kind.IN_PROCESS, Kind.BARE_LETTUCE), Map.of(), 250, Duration.ofMillis(500),
                    Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2));
        }

        /** The benchmark on what ships: the jar beside a bare Lettuce subscriber, 500 alerts/s per publisher. */
        public static Options benchJar() {
            return new Options(List.of(Kind.JAR, Kind.BARE_LETTUCE), Map.of(), 500, Duration.ofMillis(500),
                    Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2));
        }

        public Options withRate(int perPublisher) {
            return new Options(subscribers, relayConfig, perPublisher, publishTimeout, warmup, recoveryTimeout, tail,
                    drain);
        }
    }

    /** The run's outcome: one summary per subscriber, in {@link Options#subscribers()} order. */
    public record Result(Fault.Outcome outcome, List<Summary> summaries) {
        public Summary relay() {
            return summaries.get(0);
        }
    }

    private FaultScenario() {}

    static {
        Logging.quietDefaults();
    }

    public static Result run(Fault fault, Options options) {
        List<Subscriber> subscribers = new ArrayList<>();
        for (Kind kind : options.subscribers()) {
            subscribers.add(switch (kind) {
                case IN_PROCESS -> Subscriber.relay(options.relayConfig());
                case JAR -> Subscriber.jar();
                case BARE_LETTUCE -> Subscriber.bareLettuce();
            });
        }
        List<AlertPublisher> publishers = new ArrayList<>();
        try (Target target = fault.needsSentinel() ? Target.startSentinel() : Target.startStandalone()) {
            try {
                return run(fault, options, target, subscribers, publishers);
            } catch (RuntimeException | AssertionError e) {
                log.error("{} failed; Redis logs:\n{}", fault.label(), target.logTails(25));
                for (Subscriber subscriber : subscribers) {
                    subscriber.diagnostics().forEach(line -> System.out.println("  " + subscriber.label() + ": " + line));
                }
                throw e;
            } finally {
                publishers.forEach(AlertPublisher::close);
                subscribers.forEach(Subscriber::close);
            }
        }
    }

    private static Result run(Fault fault, Options options, Target target, List<Subscriber> subscribers,
            List<AlertPublisher> publishers) {
        for (Subscriber subscriber : subscribers) {
            subscriber.start(target);
        }
        awaitReady(target, subscribers);

        Supplier<String> resolver = target::resolveMaster;
        publishers.add(new AlertPublisher("A", options.ratePerPublisher(), resolver, List.of(),
                options.publishTimeout()).start());
        publishers.add(new AlertPublisher("B", options.ratePerPublisher(), resolver, target.sentinelAddresses(),
                options.publishTimeout()).start());
        sleep(options.warmup());
        for (AlertPublisher publisher : publishers) {
            if (publisher.acknowledged() == 0) {
                throw new AssertionError("publisher " + publisher.name() + " has nothing acknowledged before the fault: "
                        + publisher.lastError());
            }
        }

        for (Subscriber subscriber : subscribers) {
            subscriber.beforeFault();
        }
        log.info("{}: injecting ({})", fault.label(), fault.description());
        Fault.Outcome outcome = fault.inject(target);
        log.info("{}: master {} -> {} after {} ms", fault.label(), outcome.oldMaster(), outcome.newMaster(),
                (outcome.failoverNanos() - outcome.faultNanos()) / 1_000_000);
        String newMaster = outcome.newMaster();
        publishers.add(new AlertPublisher("P", 20, () -> newMaster, List.of(), options.publishTimeout()).start());

        long deadline = outcome.faultNanos() + options.recoveryTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            Map<Alert, AlertPublisher.Ack> acks = acks(publishers);
            boolean all = true;
            for (Subscriber subscriber : subscribers) {
                all &= firstDelivery(subscriber, acks, outcome).isPresent()
                        && subscriber.statusTimeline().map(t -> verified(t, outcome).isPresent()).orElse(true);
            }
            if (all) {
                break;
            }
            sleep(Duration.ofMillis(50));
        }
        sleep(options.tail());
        java.time.Instant faultOver = instant(outcome, outcome.failoverNanos());
        for (Subscriber subscriber : subscribers) {
            subscriber.afterFault(faultOver);
        }
        publishers.forEach(AlertPublisher::close);
        sleep(options.drain());
        for (Subscriber subscriber : subscribers) {
            subscriber.awaitDrained(DRAIN_BOUND);
        }

        Map<Alert, AlertPublisher.Ack> acks = acks(publishers);
        Map<Alert, AlertPublisher.Ack> unacknowledged = new java.util.HashMap<>();
        for (AlertPublisher publisher : publishers) {
            publisher.unacknowledged().forEach((seq, ack) -> unacknowledged.put(new Alert(publisher.name(), seq), ack));
        }
        Map<String, Long> acknowledged = new LinkedHashMap<>();
        for (AlertPublisher publisher : publishers) {
            acknowledged.put(publisher.name(), publisher.acknowledged());
        }
        List<Summary> summaries = new ArrayList<>();
        for (Subscriber subscriber : subscribers) {
            Map<Alert, DeliveryLog.Delivery> delivered = subscriber.log().snapshot();
            TreeSet<Alert> lost = new TreeSet<>();
            for (Alert alert : acks.keySet()) {
                if (!delivered.containsKey(alert) && !alert.publisher().equals("W")) {
                    lost.add(alert);
                }
            }
            TreeSet<Alert> duplicated = new TreeSet<>();
            long duplicates = 0;
            long unacked = 0;
            long count = 0;
            for (Map.Entry<Alert, DeliveryLog.Delivery> entry : delivered.entrySet()) {
                if (entry.getKey().publisher().equals("W")) {
                    continue;
                }
                count++;
                if (entry.getValue().count() > 1) {
                    duplicated.add(entry.getKey());
                    duplicates += entry.getValue().count() - 1;
                }
                if (!acks.containsKey(entry.getKey())) {
                    unacked++;
                }
            }
            List<String> lostDetail = new ArrayList<>(lostGroups(lost, acks, outcome));
            lost.stream().limit(4).map(alert -> {
                AlertPublisher.Ack ack = acks.get(alert);
                long sent = (ack.sentNanos() - outcome.faultNanos()) / 1_000_000;
                long acked = (ack.nanos() - outcome.faultNanos()) / 1_000_000;
                return alert + " sent to " + ack.node() + " at " + signed(sent) + "ms, acked at " + signed(acked) + "ms";
            }).forEach(lostDetail::add);
            Optional<Subscriber.StatusTimeline> timeline = subscriber.statusTimeline();
            Optional<List<WindowJudgement>> windows = subscriber.blindWindows()
                    .map(reported -> judge(reported, acks, unacknowledged, delivered, outcome));
            summaries.add(new Summary(fault, subscriber.label(), acknowledged, count, List.copyOf(lost), lostDetail,
                    duplicates,
                    List.copyOf(duplicated), unacked, outcome.oldMaster(), newMaster,
                    millisSinceFault(outcome, outcome.failoverNanos()),
                    firstDelivery(subscriber, acks, outcome).map(n -> millisSinceFault(outcome, n)),
                    timeline.flatMap(t -> verified(t, outcome)).map(n -> millisSinceFault(outcome, n)),
                    timeline.map(t -> describe(t.latest())), timeline.map(Subscriber.StatusTimeline::describe),
                    windows, lostAcks(lost, acks, outcome), subscriber.diagnostics()));
        }
        for (AlertPublisher publisher : publishers) {
            log.info("{}: publisher {}: {} attempted, {} acknowledged, {} errors, {} +switch-master moves; first"
                    + " errors (ms after the fault): {}", fault.label(), publisher.name(), publisher.attempted(),
                    publisher.acknowledged(), publisher.errors(), publisher.switches(),
                    publisher.errors(outcome.faultNanos()));
        }
        for (Summary summary : summaries) {
            // stdout as well: the suite's logback config may hide INFO
            System.out.println("SUMMARY " + summary.oneLine());
            summary.blindWindows().ifPresent(list -> list.forEach(w -> System.out.println("  BLIND-WINDOW "
                    + summary.subscriber() + ": " + w.describe())));
        }
        return new Result(outcome, summaries);
    }

    /** Waits until the relay is VERIFIED on the master and every subscriber received a warm-up alert. */
    private static void awaitReady(Target target, List<Subscriber> subscribers) {
        RedisServerProcess master = target.node(target.initialMaster());
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        long seq = 0;
        while (true) {
            Alert warmup = new Alert("W", ++seq);
            Target.quietly(master, "PUBLISH", warmup.channel(), warmup.payload());
            boolean ready = true;
            for (Subscriber subscriber : subscribers) {
                ready &= subscriber.log().snapshot().keySet().stream().anyMatch(a -> a.publisher().equals("W"));
                ready &= subscriber.statusTimeline().map(t -> !t.entries().isEmpty()
                        && t.latest().state() == SubscriptionState.VERIFIED
                        && t.latest().node().filter(target.initialMaster()::equals).isPresent()).orElse(true);
                ready &= subscriber.ready();
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder states = new StringBuilder();
                for (Subscriber subscriber : subscribers) {
                    states.append(subscriber.label()).append(": ").append(subscriber.log().total()).append(" received")
                            .append(subscriber.statusTimeline().map(t -> ", " + t.describe()).orElse(""))
                            .append(", ready ").append(subscriber.ready()).append("; ");
                }
                throw new AssertionError("subscribers not ready within 40 s: " + states);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private static Map<Alert, AlertPublisher.Ack> acks(List<AlertPublisher> publishers) {
        Map<Alert, AlertPublisher.Ack> acks = new java.util.HashMap<>();
        for (AlertPublisher publisher : publishers) {
            publisher.acks().forEach((seq, ack) -> acks.put(new Alert(publisher.name(), seq), ack));
        }
        return acks;
    }

    /**
     * When the subscriber first received an alert that the new master acknowledged after the fault was over (the
     * failover observed, or the fault command returned): for CLIENT KILL and restarts that excludes alerts delivered
     * just before the kill took effect.
     */
    private static Optional<Long> firstDelivery(Subscriber subscriber, Map<Alert, AlertPublisher.Ack> acks,
            Fault.Outcome outcome) {
        long first = Long.MAX_VALUE;
        for (Map.Entry<Alert, DeliveryLog.Delivery> entry : subscriber.log().snapshot().entrySet()) {
            AlertPublisher.Ack ack = acks.get(entry.getKey());
            if (ack != null && ack.nanos() > outcome.failoverNanos() && ack.node().equals(outcome.newMaster())) {
                first = Math.min(first, entry.getValue().firstNanos());
            }
        }
        return first == Long.MAX_VALUE ? Optional.empty() : Optional.of(first);
    }

    /** Every reported window against the acknowledgements by its node (any node when it names none). */
    private static List<WindowJudgement> judge(List<ReportedWindow> reported, Map<Alert, AlertPublisher.Ack> acks,
            Map<Alert, AlertPublisher.Ack> unacknowledged, Map<Alert, DeliveryLog.Delivery> delivered,
            Fault.Outcome outcome) {
        List<WindowJudgement> judged = new ArrayList<>();
        for (ReportedWindow window : reported) {
            long inside = 0;
            TreeSet<Alert> lost = new TreeSet<>();
            for (Map.Entry<Alert, AlertPublisher.Ack> entry : acks.entrySet()) {
                AlertPublisher.Ack ack = entry.getValue();
                if (window.concerns(ack.node())
                        && window.overlaps(instant(outcome, ack.sentNanos()), instant(outcome, ack.nanos()), 0)) {
                    inside++;
                    if (!delivered.containsKey(entry.getKey())) {
                        lost.add(entry.getKey());
                    }
                }
            }
            long unacked = unacknowledged.values().stream().filter(ack -> window.concerns(ack.node())
                    && window.overlaps(instant(outcome, ack.sentNanos()), instant(outcome, ack.nanos()), 0)).count();
            judged.add(new WindowJudgement(window, inside, List.copyOf(lost), unacked,
                    WindowJudgement.relative(window.start(), outcome.faultInstant()),
                    WindowJudgement.relative(window.end(), outcome.faultInstant())));
        }
        return judged;
    }

    /**
     * The lost alerts grouped by the node that acknowledged them and into bursts (acknowledgements less than 200 ms
     * apart): {@code 23 acked by 127.0.0.1:7101 between +3210ms and +3235ms (16:06:26.680-16:06:26.705 UTC)}.
     */
    private static List<String> lostGroups(TreeSet<Alert> lost, Map<Alert, AlertPublisher.Ack> acks,
            Fault.Outcome outcome) {
        Map<String, List<AlertPublisher.Ack>> byNode = new java.util.TreeMap<>();
        for (Alert alert : lost) {
            AlertPublisher.Ack ack = acks.get(alert);
            byNode.computeIfAbsent(ack.node(), n -> new ArrayList<>()).add(ack);
        }
        java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
                .withZone(java.time.ZoneOffset.UTC);
        List<String> groups = new ArrayList<>();
        for (Map.Entry<String, List<AlertPublisher.Ack>> entry : byNode.entrySet()) {
            List<AlertPublisher.Ack> sorted = entry.getValue().stream()
                    .sorted(java.util.Comparator.comparingLong(AlertPublisher.Ack::nanos)).toList();
            int from = 0;
            for (int i = 1; i <= sorted.size(); i++) {
                if (i == sorted.size() || sorted.get(i).nanos() - sorted.get(i - 1).nanos() > 200_000_000L) {
                    long first = sorted.get(from).nanos();
                    long last = sorted.get(i - 1).nanos();
                    groups.add((i - from) + " acked by " + entry.getKey() + " between "
                            + signed((first - outcome.faultNanos()) / 1_000_000) + "ms and "
                            + signed((last - outcome.faultNanos()) / 1_000_000) + "ms ("
                            + time.format(instant(outcome, first)) + "-" + time.format(instant(outcome, last))
                            + " UTC)");
                    from = i;
                }
            }
        }
        return groups;
    }

    /** Each lost alert's acknowledgement on the wall clock (node, sent, acknowledged), for the window checks. */
    private static Map<Alert, Summary.AckedAt> lostAcks(TreeSet<Alert> lost, Map<Alert, AlertPublisher.Ack> acks,
            Fault.Outcome outcome) {
        Map<Alert, Summary.AckedAt> result = new LinkedHashMap<>();
        for (Alert alert : lost) {
            AlertPublisher.Ack ack = acks.get(alert);
            result.put(alert, new Summary.AckedAt(ack.node(), instant(outcome, ack.sentNanos()),
                    instant(outcome, ack.nanos())));
        }
        return result;
    }

    /** System.nanoTime to the wall clock, anchored at the fault (both read together at injection). */
    static java.time.Instant instant(Fault.Outcome outcome, long nanos) {
        return outcome.faultInstant().plusNanos(nanos - outcome.faultNanos());
    }

    private static Optional<Long> verified(Subscriber.StatusTimeline timeline, Fault.Outcome outcome) {
        return timeline.verifiedOn(outcome.newMaster(), outcome.faultNanos(), outcome.faultInstant(),
                !outcome.masterChanged());
    }

    private static String signed(long millis) {
        return (millis >= 0 ? "+" : "") + millis;
    }

    private static long millisSinceFault(Fault.Outcome outcome, long nanos) {
        return Math.max(0, (nanos - outcome.faultNanos()) / 1_000_000);
    }

    private static String describe(SourceStatus status) {
        return status.state() + status.node().map(n -> " on " + n).orElse("") + " (" + status.reason() + ")";
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
