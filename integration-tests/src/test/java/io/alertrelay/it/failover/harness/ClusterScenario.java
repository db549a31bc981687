package io.alertrelay.it.failover.harness;

import io.alertrelay.testing.redis.RedisCluster;
import io.alertrelay.testing.redis.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one cluster fault against the assembled jar ({@link JarSubscriber}, watchdog at its defaults), in the
 * style of {@link FaultScenario}: a six-node {@link RedisCluster}, the jar configured with {@code redis.cluster.nodes}
 * (three seeds), publishers A, B and C (500 alerts/s together) each on a random master, moving to another random master
 * after any error; the fault; publishing on until the cluster is healthy again and a canary round after it was
 * judged; then drain and judge: every acknowledged alert delivered, none twice, and each reported blind window held
 * against the acknowledgements ({@link WindowJudgement}).
 */
public final class ClusterScenario {
    private static final Logger log = LoggerFactory.getLogger(ClusterScenario.class);
    /** A, B and C together. */
    public static final int RATE = 500;
    private static final Duration PUBLISH_TIMEOUT = Duration.ofMillis(500);
    private static final Duration WARMUP = Duration.ofSeconds(2);
    private static final Duration RECOVERY = Duration.ofSeconds(30);
    private static final Duration TAIL = Duration.ofSeconds(2);
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(15);

    static {
        Logging.quietDefaults();
    }

    /** The faults. */
    public enum Fault {
        /** SIGKILL of a master: its replica is promoted after {@code cluster-node-timeout}. */
        MASTER_SIGKILL("master SIGKILL"),
        /** {@code CLUSTER FAILOVER} on a replica: a graceful, coordinated switch. */
        CLUSTER_FAILOVER("CLUSTER FAILOVER on a replica"),
        /** SIGSTOP of a master until its replica is promoted, then SIGCONT (it rejoins as a replica). */
        MASTER_SIGSTOP("master SIGSTOP, promoted, SIGCONT");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    /**
     * What a run saw.
     *
     * @param acknowledged acknowledged PUBLISHes per publisher
     * @param lost         acknowledged alerts never delivered
     * @param duplicated   alerts delivered more than once
     * @param windows      the jar's reported blind windows, judged
     */
    public record Result(Fault fault, String victim, String promoted, Map<String, Long> acknowledged, long delivered,
                         List<Alert> lost, List<Alert> duplicated, List<WindowJudgement> windows,
                         List<String> diagnostics) {
        public String oneLine() {
            return "cluster fault=\"" + fault.label + "\" victim " + victim + " -> " + promoted + " | acked " + acknowledged
                    + " | delivered=" + delivered + " lost=" + lost.size() + (lost.isEmpty() ? "" : " " + Summary.first(lost))
                    + " duplicates=" + duplicated.size() + (duplicated.isEmpty() ? "" : " " + Summary.first(duplicated))
                    + " | blindWindows=" + windows.size() + " false=" + windows.stream().filter(WindowJudgement::isFalse)
                    .count();
        }

        /**
         * Throws with the summary and diagnostics unless nothing acknowledged was lost, nothing was delivered twice, and
         * no false blind window was reported (one where every alert acknowledged there meanwhile was delivered).
         */
        public void checkNoLossNoDuplicates() {
            List<String> problems = new ArrayList<>();
            if (acknowledged.values().stream().mapToLong(Long::longValue).sum() == 0) {
                problems.add("nothing acknowledged");
            }
            if (!lost.isEmpty()) {
                problems.add(lost.size() + " acknowledged alerts lost, first " + Summary.first(lost));
            }
            if (!duplicated.isEmpty()) {
                problems.add(duplicated.size() + " alerts delivered twice, first " + Summary.first(duplicated));
            }
            long falseWindows = windows.stream().filter(WindowJudgement::isFalse).count();
            if (falseWindows > 0) {
                problems.add(falseWindows + " false blind window(s) reported");
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(fault.label + " [jar on cluster]: " + String.join("; ", problems) + "\n  "
                        + oneLine() + "\n" + windows.stream().map(w -> "  " + w.describe())
                        .collect(Collectors.joining("\n")) + "\n  | " + String.join("\n  | ", diagnostics));
            }
        }
    }

    private ClusterScenario() {}

    public static Result run(Fault fault) {
        JarSubscriber jar = new JarSubscriber();
        List<AlertPublisher> publishers = new ArrayList<>();
        try (RedisCluster cluster = RedisCluster.start()) {
            try {
                return run(fault, cluster, jar, publishers);
            } catch (RuntimeException | AssertionError e) {
                log.error("{} failed; Redis logs:\n{}", fault.label, cluster.logTails(25));
                jar.diagnostics().forEach(line -> System.out.println("  jar: " + line));
                throw e;
            } finally {
                publishers.forEach(AlertPublisher::close);
                jar.close();
            }
        }
    }

    private static Result run(Fault fault, RedisCluster cluster, JarSubscriber jar, List<AlertPublisher> publishers) {
        List<String> seeds = cluster.addresses().subList(0, 3);
        jar.start(JarSubscriber.config("  cluster:\n    nodes: [" + seeds.stream().map(a -> "\"" + a + "\"")
                .collect(Collectors.joining(", ")) + "]\n"));
        awaitReady(cluster, jar);

        for (String name : List.of("A", "B", "C")) {
            publishers.add(new AlertPublisher(name, RATE / 3, () -> randomMaster(cluster), List.of(), PUBLISH_TIMEOUT)
                    .start());
        }
        FaultScenario.sleep(WARMUP);
        for (AlertPublisher publisher : publishers) {
            if (publisher.acknowledged() == 0) {
                throw new AssertionError("publisher " + publisher.name() + " has nothing acknowledged before the fault: "
                        + publisher.lastError());
            }
        }
        jar.beforeFault();
        String victim;
        String promoted;
        long faultNanos = System.nanoTime();
        Instant faultInstant = Instant.now();
        switch (fault) {
            case MASTER_SIGKILL -> {
                victim = cluster.masters().get(0);
                promoted = cluster.replicaOf(victim).orElseThrow();
                faultNanos = System.nanoTime();
                faultInstant = Instant.now();
                cluster.node(victim).kill();
                awaitMaster(cluster, promoted, victim);
            }
            case CLUSTER_FAILOVER -> {
                String master = cluster.masters().get(0);
                promoted = cluster.replicaOf(master).orElseThrow();
                victim = master;
                faultNanos = System.nanoTime();
                faultInstant = Instant.now();
                cluster.node(promoted).command("CLUSTER", "FAILOVER");
                awaitMaster(cluster, promoted, victim);
            }
            case MASTER_SIGSTOP -> {
                victim = cluster.masters().get(0);
                promoted = cluster.replicaOf(victim).orElseThrow();
                faultNanos = System.nanoTime();
                faultInstant = Instant.now();
                cluster.node(victim).pause();
                awaitMaster(cluster, promoted, victim);
                cluster.node(victim).resume();
            }
            default -> throw new IllegalStateException();
        }
        log.info("{}: {} -> {} after {} ms", fault.label, victim, promoted,
                (System.nanoTime() - faultNanos) / 1_000_000);
        Instant faultOver = Instant.now();
        if (fault != Fault.MASTER_SIGKILL) {
            cluster.awaitHealthy(RECOVERY);   // the old master rejoined as a replica
        }
        FaultScenario.sleep(TAIL);
        jar.afterFault(faultOver);
        publishers.forEach(AlertPublisher::close);
        FaultScenario.sleep(Duration.ofMillis(1500));
        jar.awaitDrained(DRAIN_BOUND);

        Map<Alert, AlertPublisher.Ack> acks = new HashMap<>();
        Map<Alert, AlertPublisher.Ack> unacknowledged = new HashMap<>();
        Map<String, Long> acknowledged = new java.util.LinkedHashMap<>();
        for (AlertPublisher publisher : publishers) {
            publisher.acks().forEach((seq, ack) -> acks.put(new Alert(publisher.name(), seq), ack));
            publisher.unacknowledged().forEach((seq, ack) -> unacknowledged.put(new Alert(publisher.name(), seq), ack));
            acknowledged.put(publisher.name(), publisher.acknowledged());
        }
        Map<Alert, DeliveryLog.Delivery> delivered = jar.log().snapshot();
        TreeSet<Alert> lost = new TreeSet<>();
        for (Alert alert : acks.keySet()) {
            if (!delivered.containsKey(alert)) {
                lost.add(alert);
            }
        }
        TreeSet<Alert> duplicated = new TreeSet<>();
        long count = 0;
        for (Map.Entry<Alert, DeliveryLog.Delivery> entry : delivered.entrySet()) {
            if (entry.getKey().publisher().equals("W")) {
                continue;
            }
            count++;
            if (entry.getValue().count() > 1) {
                duplicated.add(entry.getKey());
            }
        }
        List<WindowJudgement> windows = new ArrayList<>();
        long anchorNanos = faultNanos;
        Instant anchor = faultInstant;
        for (ReportedWindow window : jar.blindWindows().orElse(List.of())) {
            long inside = 0;
            List<Alert> lostInside = new ArrayList<>();
            for (Map.Entry<Alert, AlertPublisher.Ack> entry : acks.entrySet()) {
                AlertPublisher.Ack ack = entry.getValue();
                if (window.concerns(ack.node()) && window.overlaps(anchor.plusNanos(ack.sentNanos() - anchorNanos),
                        anchor.plusNanos(ack.nanos() - anchorNanos), 0)) {
                    inside++;
                    if (!delivered.containsKey(entry.getKey())) {
                        lostInside.add(entry.getKey());
                    }
                }
            }
            long unackedInside = unacknowledged.values().stream().filter(ack -> window.concerns(ack.node())
                    && window.overlaps(anchor.plusNanos(ack.sentNanos() - anchorNanos),
                    anchor.plusNanos(ack.nanos() - anchorNanos), 0)).count();
            windows.add(new WindowJudgement(window, inside, List.copyOf(new TreeSet<>(lostInside)), unackedInside,
                    WindowJudgement.relative(window.start(), anchor), WindowJudgement.relative(window.end(), anchor)));
        }
        Result result = new Result(fault, victim, promoted, acknowledged, count, List.copyOf(lost),
                List.copyOf(duplicated), windows, jar.diagnostics());
        System.out.println("SUMMARY " + result.oneLine());
        windows.forEach(w -> System.out.println("  BLIND-WINDOW jar: " + w.describe()));
        for (AlertPublisher publisher : publishers) {
            log.info("{}: publisher {}: {} attempted, {} acknowledged, {} errors; first errors: {}", fault.label,
                    publisher.name(), publisher.attempted(), publisher.acknowledged(), publisher.errors(),
                    publisher.errors(faultNanos));
        }
        return result;
    }

    private static String randomMaster(RedisCluster cluster) {
        List<String> masters = cluster.masters();
        return masters.get(ThreadLocalRandom.current().nextInt(masters.size()));
    }

    private static void awaitMaster(RedisCluster cluster, String promoted, String victim) {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                List<String> masters = cluster.masters();
                if (masters.contains(promoted) && !masters.contains(victim)) {
                    return;
                }
            } catch (RuntimeException e) {
                // a node may be down: ask again
            }
            FaultScenario.sleep(Duration.ofMillis(50));
        }
        throw new AssertionError(promoted + " not promoted within " + RECOVERY + ": " + cluster.clusterNodes());
    }

    /** Until the jar delivered a warm-up alert from every master and /health/ready says ready. */
    private static void awaitReady(RedisCluster cluster, JarSubscriber jar) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long seq = 0;
        while (true) {
            boolean all = true;
            for (String master : cluster.masters()) {
                Alert warmup = new Alert("W", ++seq);
                RedisServerProcess node = cluster.node(master);
                Target.quietly(node, "PUBLISH", warmup.channel(), warmup.payload());
            }
            FaultScenario.sleep(Duration.ofMillis(200));
            all &= jar.log().snapshot().keySet().stream().anyMatch(a -> a.publisher().equals("W"));
            all &= jar.ready();
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the jar is not ready on the cluster within 60 s: " + jar.log().total()
                        + " received, timeline " + jar.statusTimeline().map(Subscriber.StatusTimeline::describe)
                        .orElse("?"));
            }
        }
    }
}
