package io.alertrelay.testing.redis;

import io.alertrelay.config.Parsers.HostAndPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A real Sentinel setup on loopback for tests: a master, one replica and three sentinels monitoring
 * {@value #MASTER_NAME} with quorum 2, {@code down-after-milliseconds 1000}, {@code failover-timeout 5000},
 * {@code parallel-syncs 1}. Data nodes run with {@code repl-diskless-sync-delay 0}.
 *
 * <pre>{@code
 * try (SentinelTopology topology = SentinelTopology.start()) {
 *     topology.master().kill();
 *     HostAndPort promoted = topology.awaitFailover(Duration.ofSeconds(30));
 *     topology.master().command("PUBLISH", "alerts:x", "{}");   // master() now is the promoted node
 * }
 * }</pre>
 *
 * <p>{@link #start()} returns once the replica's link to the master is up and every sentinel knows the replica and the
 * two other sentinels. {@link #close()} stops every process (also after a failed start).
 */
public final class SentinelTopology implements AutoCloseable {
    public static final String MASTER_NAME = "mymaster";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisServerProcess> dataNodes = new ArrayList<>();
    private final List<RedisServerProcess> sentinels = new ArrayList<>();
    private HostAndPort lastKnownMaster;

    private SentinelTopology() {}

    /** Starts the five processes and waits until the topology is settled (see the class comment). */
    public static SentinelTopology start() {
        SentinelTopology topology = new SentinelTopology();
        try {
            topology.startAll();
            return topology;
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
    }

    private void startAll() {
        RedisServerProcess master = RedisServerProcess.builder()
                .config("repl-diskless-sync-delay", "0")
                .start();
        dataNodes.add(master);
        RedisServerProcess replica = RedisServerProcess.builder()
                .config("repl-diskless-sync-delay", "0")
                .replicaOf(master)
                .start();
        dataNodes.add(replica);
        for (int i = 0; i < 3; i++) {
            sentinels.add(RedisServerProcess.builder().sentinel(List.of(
                    "sentinel monitor " + MASTER_NAME + " " + RedisServerProcess.HOST + " " + master.port() + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                    "sentinel failover-timeout " + MASTER_NAME + " 5000",
                    "sentinel parallel-syncs " + MASTER_NAME + " 1")).start());
        }
        lastKnownMaster = new HostAndPort(RedisServerProcess.HOST, master.port());
        awaitUntil("replica " + replica.address() + " reports master_link_status:up",
                () -> safeCommand(replica, "INFO", "replication").contains("master_link_status:up"));
        for (RedisServerProcess sentinel : sentinels) {
            awaitUntil("sentinel " + sentinel.address() + " knows the replica and the two other sentinels",
                    () -> knowsReplica(sentinel, replica.port()) && otherSentinels(sentinel) == sentinels.size() - 1);
        }
    }

    /** The sentinels' ports, in start order. */
    public List<Integer> sentinelPorts() {
        return sentinels.stream().map(RedisServerProcess::port).toList();
    }

    /** The sentinels as {@code host:port} strings, ready for {@code redis.sentinel.nodes}. */
    public List<String> sentinelAddresses() {
        return sentinels.stream().map(RedisServerProcess::address).toList();
    }

    public List<RedisServerProcess> sentinels() {
        return List.copyOf(sentinels);
    }

    /** Both data nodes, original master first. */
    public List<RedisServerProcess> dataNodes() {
        return List.copyOf(dataNodes);
    }

    /** The master as the first answering sentinel names it ({@code SENTINEL get-master-addr-by-name}). */
    public HostAndPort currentMaster() {
        RuntimeException last = null;
        for (RedisServerProcess sentinel : sentinels) {
            try {
                return masterAccordingTo(sentinel);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no sentinel answered get-master-addr-by-name", last);
    }

    /** The data node the sentinels currently name master (before a failover: the original master). */
    public RedisServerProcess master() {
        int port = currentMaster().port();
        return dataNodes.stream().filter(node -> node.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("sentinels name an unknown master on port " + port));
    }

    /** The other data node (before a failover: the original replica; after one: the former master). */
    public RedisServerProcess replica() {
        int port = currentMaster().port();
        return dataNodes.stream().filter(node -> node.port() != port).findFirst().orElseThrow();
    }

    /**
     * Waits until every answering sentinel (at least two) names a master other than the one known before (at start, or
     * at the previous failover) and that node answers {@code ROLE} with {@code master}. Returns the new master.
     */
    public HostAndPort awaitFailover(Duration timeout) {
        HostAndPort previous = lastKnownMaster;
        HostAndPort[] promoted = new HostAndPort[1];
        awaitUntil("sentinels name a new master instead of " + previous + " and it reports role master", timeout, () -> {
            Set<HostAndPort> named = new LinkedHashSet<>();
            int answered = 0;
            for (RedisServerProcess sentinel : sentinels) {
                try {
                    named.add(masterAccordingTo(sentinel));
                    answered++;
                } catch (RuntimeException ignored) {
                    // a stopped or paused sentinel does not vote here
                }
            }
            if (answered < 2 || named.size() != 1 || named.contains(previous)) {
                return false;
            }
            HostAndPort candidate = named.iterator().next();
            Optional<RedisServerProcess> node = dataNodes.stream().filter(n -> n.port() == candidate.port()).findFirst();
            if (node.isEmpty() || !safeCommand(node.get(), "ROLE").startsWith("master")) {
                return false;
            }
            promoted[0] = candidate;
            return true;
        });
        lastKnownMaster = promoted[0];
        return promoted[0];
    }

    /** Stops every process: sentinels first, then the data nodes. Idempotent. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        List<RedisServerProcess> all = new ArrayList<>(sentinels);
        all.addAll(dataNodes);
        for (RedisServerProcess process : all) {
            try {
                process.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** Log tails of every process, for failure messages. */
    public String logTails(int lines) {
        StringBuilder out = new StringBuilder();
        List<RedisServerProcess> all = new ArrayList<>(dataNodes);
        all.addAll(sentinels);
        for (RedisServerProcess process : all) {
            out.append("--- ").append(process).append(" ---\n").append(process.logTail(lines));
        }
        return out.toString();
    }

    private static HostAndPort masterAccordingTo(RedisServerProcess sentinel) {
        Object reply = sentinel.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
        if (!(reply instanceof List<?> list) || list.size() != 2) {
            throw new IllegalStateException("unexpected reply " + reply);
        }
        return new HostAndPort(String.valueOf(list.get(0)), Integer.parseInt(String.valueOf(list.get(1))));
    }

    private static boolean knowsReplica(RedisServerProcess sentinel, int replicaPort) {
        for (Map<String, String> replica : entries(sentinel, "REPLICAS")) {
            String flags = replica.getOrDefault("flags", "");
            if (String.valueOf(replicaPort).equals(replica.get("port"))
                    && !flags.contains("s_down") && !flags.contains("disconnected")) {
                return true;
            }
        }
        return false;
    }

    private static int otherSentinels(RedisServerProcess sentinel) {
        return entries(sentinel, "SENTINELS").size();
    }

    private static List<Map<String, String>> entries(RedisServerProcess sentinel, String what) {
        List<Map<String, String>> entries = new ArrayList<>();
        try {
            Object reply = sentinel.call("SENTINEL", what, MASTER_NAME);
            if (reply instanceof List<?> list) {
                for (Object element : list) {
                    if (element instanceof List<?> fields) {
                        Map<String, String> entry = new HashMap<>();
                        for (int i = 0; i + 1 < fields.size(); i += 2) {
                            entry.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
                        }
                        entries.add(entry);
                    }
                }
            }
        } catch (RuntimeException ignored) {
            // not ready yet
        }
        return entries;
    }

    private static String safeCommand(RedisServerProcess process, String... args) {
        try {
            return process.command(args);
        } catch (RuntimeException e) {
            return "";
        }
    }

    private void awaitUntil(String what, java.util.function.BooleanSupplier condition) {
        awaitUntil(what, READY_TIMEOUT, condition);
    }

    private void awaitUntil(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what + "\n"
                        + logTails(15));
            }
            RedisServerProcess.sleep(Duration.ofMillis(50));
        }
    }
}
