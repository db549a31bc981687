package io.alertrelay.it.failover.harness;

import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RespClient;
import io.alertrelay.testing.redis.SentinelTopology;
import java.time.Duration;
import java.util.List;

/** The Redis side of a run: a {@link SentinelTopology} (master, replica, three sentinels) or one standalone server. */
public final class Target implements AutoCloseable {
    private final SentinelTopology topology;
    private final RedisServerProcess standalone;
    private final String initialMaster;

    private Target(SentinelTopology topology, RedisServerProcess standalone) {
        this.topology = topology;
        this.standalone = standalone;
        this.initialMaster = topology != null ? topology.master().address() : standalone.address();
    }

    public static Target startSentinel() {
        return new Target(SentinelTopology.start(), null);
    }

    public static Target startStandalone() {
        return new Target(null, RedisServerProcess.startStandalone());
    }

    public boolean isSentinel() {
        return topology != null;
    }

    public SentinelTopology topology() {
        if (topology == null) {
            throw new IllegalStateException("standalone target");
        }
        return topology;
    }

    public RedisServerProcess standalone() {
        if (standalone == null) {
            throw new IllegalStateException("sentinel target");
        }
        return standalone;
    }

    public String masterName() {
        return SentinelTopology.MASTER_NAME;
    }

    public List<String> sentinelAddresses() {
        return isSentinel() ? topology.sentinelAddresses() : List.of();
    }

    /** The master's address when the run started. */
    public String initialMaster() {
        return initialMaster;
    }

    /** The data node with this address. */
    public RedisServerProcess node(String address) {
        if (!isSentinel()) {
            return standalone;
        }
        return topology.dataNodes().stream().filter(n -> n.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no data node " + address));
    }

    /**
     * What publisher A does after an error: asks the sentinels in turn (500 ms timeout each) for the master; a
     * standalone target is always its one server.
     */
    public String resolveMaster() {
        if (!isSentinel()) {
            return standalone.address();
        }
        RuntimeException last = null;
        for (RedisServerProcess sentinel : topology.sentinels()) {
            try (RespClient client = RespClient.connect(sentinel.host(), sentinel.port(), Duration.ofMillis(500))) {
                Object reply = client.call("SENTINEL", "get-master-addr-by-name", masterName());
                if (reply instanceof List<?> list && list.size() == 2) {
                    return list.get(0) + ":" + list.get(1);
                }
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no sentinel named the master", last);
    }

    /** Sends a command with a 1 s timeout; returns the text reply, or the error text. */
    public static String quietly(RedisServerProcess process, String... args) {
        try (RespClient client = RespClient.connect(process.host(), process.port(), Duration.ofSeconds(1))) {
            return client.command(args);
        } catch (RuntimeException e) {
            return "ERROR " + e.getMessage();
        }
    }

    public String logTails(int lines) {
        return isSentinel() ? topology.logTails(lines) : standalone.logTail(lines);
    }

    @Override
    public void close() {
        if (isSentinel()) {
            for (RedisServerProcess node : topology.dataNodes()) {
                if (node.isPaused()) {
                    node.resume();
                }
            }
            topology.close();
        } else {
            standalone.close();
        }
    }
}
