package io.alertrelay.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local Redis Cluster for tests: {@code masters * (1 + replicasPerMaster)} {@code redis-server} processes with
 * {@code cluster-enabled yes} on free loopback ports (each in its own temp dir, so each has its own {@code nodes.conf}),
 * joined with {@code redis-cli --cluster create ... --cluster-replicas N --cluster-yes}. {@link #start()} returns once
 * every node reports {@code cluster_state:ok} and every replica's link to its master is up. {@link #close()} stops
 * every process and deletes the temp dirs. JDK only.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {         // 3 masters, 1 replica each
 *     cluster.masters();                                     // ["127.0.0.1:p1", ...] per CLUSTER NODES
 *     cluster.node(cluster.replicaOf(master)).command("CLUSTER", "FAILOVER");
 * }
 * }</pre>
 *
 * <p>{@code cluster-node-timeout} is {@link #NODE_TIMEOUT} (the Redis default is 15 s), so a dead master is failed
 * over within a few seconds; {@code repl-diskless-sync-delay} is 0 so replicas sync at once.
 */
public final class RedisCluster implements AutoCloseable {
    /** {@code cluster-node-timeout}: how long a node may not answer before it is marked failed. */
    public static final Duration NODE_TIMEOUT = Duration.ofMillis(2000);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisServerProcess> processes;
    private final int replicas;

    private RedisCluster(List<RedisServerProcess> processes, int replicas) {
        this.processes = List.copyOf(processes);
        this.replicas = replicas;
    }

    /** Six nodes: three masters with one replica each. */
    public static RedisCluster start() {
        return start(3, 1);
    }

    public static RedisCluster start(int masters, int replicasPerMaster) {
        if (masters < 3) {
            throw new IllegalArgumentException("redis-cli --cluster create needs at least 3 masters");
        }
        List<RedisServerProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                started.add(RedisServerProcess.builder()
                        .config("cluster-enabled", "yes")
                        .config("cluster-node-timeout", String.valueOf(NODE_TIMEOUT.toMillis()))
                        .config("repl-diskless-sync-delay", "0")
                        .start());
            }
            List<String> command = new ArrayList<>(List.of(redisCli().toString(), "--cluster", "create"));
            started.forEach(node -> command.add(node.address()));
            command.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
            run(command);
            RedisCluster cluster = new RedisCluster(started, masters * replicasPerMaster);
            cluster.awaitHealthy(READY_TIMEOUT);
            return cluster;
        } catch (RuntimeException e) {
            started.forEach(RedisServerProcess::close);
            throw e;
        }
    }

    /** Every node's process, in creation order (the first {@code masters} were created as masters). */
    public List<RedisServerProcess> nodes() {
        return processes;
    }

    /** Every node's {@code host:port} (seeds for a client). */
    public List<String> addresses() {
        return processes.stream().map(RedisServerProcess::address).toList();
    }

    /** The process at {@code host:port}. */
    public RedisServerProcess node(String address) {
        return processes.stream().filter(p -> p.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + address));
    }

    /** {@code CLUSTER NODES} as a running, unpaused node answers it. */
    public String clusterNodes() {
        RuntimeException last = null;
        for (RedisServerProcess node : processes) {
            if (!node.isRunning() || node.isPaused()) {
                continue;
            }
            try {
                return node.command("CLUSTER", "NODES");
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no cluster node answers", last);
    }

    /** The masters (not marked failed) as CLUSTER NODES lists them, that serve slots. */
    public List<String> masters() {
        List<String> masters = new ArrayList<>();
        for (String[] fields : lines()) {
            if (fields[2].contains("master") && !fields[2].contains("fail") && fields.length > 8) {
                masters.add(address(fields[1]));
            }
        }
        return masters;
    }

    /** A replica of {@code master} ({@code host:port}) that is not marked failed. */
    public Optional<String> replicaOf(String master) {
        String masterId = null;
        List<String[]> all = lines();
        for (String[] fields : all) {
            if (address(fields[1]).equals(master)) {
                masterId = fields[0];
            }
        }
        for (String[] fields : all) {
            if (fields[3].equals(masterId) && !fields[2].contains("fail")) {
                return Optional.of(address(fields[1]));
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until every running, unpaused node reports {@code cluster_state:ok} and all 16384 slots ok, lists every
     * replica as one (with no node flagged failed), and every replica's link is up.
     */
    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = problem();
                if (last == null) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            RedisServerProcess.sleep(Duration.ofMillis(100));
        }
        throw new IllegalStateException("cluster not healthy within " + timeout + ": " + last + "\n" + logTails(20));
    }

    private String problem() {
        for (RedisServerProcess node : processes) {
            if (!node.isRunning() || node.isPaused()) {
                continue;
            }
            String info = node.command("CLUSTER", "INFO");
            if (!info.contains("cluster_state:ok")) {
                return node.address() + " is not cluster_state:ok";
            }
            if (!info.contains("cluster_slots_ok:16384")) {
                return node.address() + " does not see all slots ok";
            }
            String nodes = node.command("CLUSTER", "NODES");
            long listedReplicas = nodes.lines().filter(l -> l.split(" ").length > 3 && l.split(" ")[2].contains("slave"))
                    .count();
            if (listedReplicas != replicas || nodes.contains("fail") || nodes.contains("handshake")) {
                return node.address() + " lists " + listedReplicas + " of " + replicas + " replicas, or a failed node";
            }
            String replication = node.command("INFO", "replication");
            if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                return node.address() + " (replica) has its master link down";
            }
        }
        return null;
    }

    /** The last lines of every node's log. */
    public String logTails(int lines) {
        StringBuilder all = new StringBuilder();
        for (RedisServerProcess node : processes) {
            all.append("--- ").append(node).append(" ---\n").append(node.logTail(lines));
        }
        return all.toString();
    }

    /** Stops every node and deletes its temp dir. */
    @Override
    public void close() {
        for (RedisServerProcess node : processes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                // best effort: the next ones still close
            }
        }
    }

    private List<String[]> lines() {
        List<String[]> result = new ArrayList<>();
        for (String line : clusterNodes().split("\r?\n")) {
            if (!line.isBlank()) {
                result.add(line.trim().split(" "));
            }
        }
        return result;
    }

    private static String address(String field) {
        int at = field.indexOf('@');
        return at < 0 ? field : field.substring(0, at);
    }

    /** {@code redis-cli} beside {@code redis-server}, else on the PATH. */
    static Path redisCli() {
        Path beside = RedisBinaries.require().resolveSibling("redis-cli");
        if (Files.isExecutable(beside)) {
            return beside;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, "redis-cli");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("redis-cli is not installed (needed to create a cluster; it comes with"
                + " redis-server: apt-get install redis-tools)");
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
