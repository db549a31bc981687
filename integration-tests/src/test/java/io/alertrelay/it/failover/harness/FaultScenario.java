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
 * each) throughout, injects the fault, starts the probe publisher P (20/s, fixed on the new master), waits for the
 * subscribers to deliver from the new master, publishes a little longer, stops, drains, and summarizes per subscriber.
 *
 * <ul>
 *   <li>A asks a sentinel for the master only after an error.</li>
 *   <li>B also follows {@code +switch-master} (subscribed on a sentinel).</li>
 *   <li>P publishes on the node that is master after the fault, so "first delivery from the new master" is measured
 *       even when A and B have no reason to move (FAILOVER, CLIENT KILL).</li>
 * </ul>
 */
public final class FaultScenario {
    private static final Logger log = LoggerFactory.getLogger(FaultScenario.class);

    /** Timings and who is subscribed. */
    public record Options(
            Map<String, Object> relayConfig,
            boolean bareLettuce,
            int ratePerPublisher,
            Duration publishTimeout,
            Duration warmup,
            Duration recoveryTimeout,
            Duration tail,
            Duration drain) {

        /** The suite's settings: relay with short deadlines (as in redis-source's tests), no bare Lettuce. */
        public static Options suite() {
            return new Options(Map.of("connect-timeout", "2s", "ping-interval", "500ms", "ping-timeout", "1s"), false,
                    250, Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofSeconds(15),
                    Duration.ofSeconds(2), Duration.ofMillis(1500));
        }

        /** The benchmark's: relay with its defaults and a bare Lettuce subscriber side by side; 30 s to resume. */
        public static Options bench() {
            return new Options(Map.of(), true, 250, Duration.ofMillis(500), Duration.ofSeconds(2),
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2));
        }
    }

    /** The run's outcome: one summary per subscriber (the relay first). */
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
        subscribers.add(Subscriber.relay(options.relayConfig()));
        if (options.bareLettuce()) {
            subscribers.add(Subscriber.bareLettuce());
        }
        List<AlertPublisher> publishers = new ArrayList<>();
        try (Target target = fault.needsSentinel() ? Target.startSentinel() : Target.startStandalone()) {
            try {
                return run(fault, options, target, subscribers, publishers);
            } catch (RuntimeException | AssertionError e) {
                log.error("{} failed; Redis logs:\n{}", fault.label(), target.logTails(25));
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
        publishers.forEach(AlertPublisher::close);
        sleep(options.drain());

        Map<Alert, AlertPublisher.Ack> acks = acks(publishers);
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
            List<String> lostDetail = lost.stream().limit(4).map(alert -> {
                AlertPublisher.Ack ack = acks.get(alert);
                long sent = (ack.sentNanos() - outcome.faultNanos()) / 1_000_000;
                long acked = (ack.nanos() - outcome.faultNanos()) / 1_000_000;
                return alert + " sent to " + ack.node() + " at " + signed(sent) + "ms, acked at " + signed(acked) + "ms";
            }).toList();
            Optional<Subscriber.StatusTimeline> timeline = subscriber.statusTimeline();
            summaries.add(new Summary(fault, subscriber.label(), acknowledged, count, List.copyOf(lost), lostDetail,
                    duplicates,
                    List.copyOf(duplicated), unacked, outcome.oldMaster(), newMaster,
                    millisSinceFault(outcome, outcome.failoverNanos()),
                    firstDelivery(subscriber, acks, outcome).map(n -> millisSinceFault(outcome, n)),
                    timeline.flatMap(t -> verified(t, outcome)).map(n -> millisSinceFault(outcome, n)),
                    timeline.map(t -> describe(t.latest())), timeline.map(Subscriber.StatusTimeline::describe)));
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
        }
        return new Result(outcome, summaries);
    }

    /** Waits until the relay is VERIFIED on the master and every subscriber received a warm-up alert. */
    private static void awaitReady(Target target, List<Subscriber> subscribers) {
        RedisServerProcess master = target.node(target.initialMaster());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long seq = 0;
        while (true) {
            Alert warmup = new Alert("W", ++seq);
            Target.quietly(master, "PUBLISH", warmup.channel(), warmup.payload());
            boolean ready = true;
            for (Subscriber subscriber : subscribers) {
                ready &= subscriber.log().snapshot().keySet().stream().anyMatch(a -> a.publisher().equals("W"));
                ready &= subscriber.statusTimeline().map(t -> t.latest().state() == SubscriptionState.VERIFIED
                        && t.latest().node().filter(target.initialMaster()::equals).isPresent()).orElse(true);
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder states = new StringBuilder();
                for (Subscriber subscriber : subscribers) {
                    states.append(subscriber.label()).append(": ").append(subscriber.log().total()).append(" received")
                            .append(subscriber.statusTimeline().map(t -> ", " + t.describe()).orElse("")).append("; ");
                }
                throw new AssertionError("subscribers not ready within 20 s: " + states);
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
