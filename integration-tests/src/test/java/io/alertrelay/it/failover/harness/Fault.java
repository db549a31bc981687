package io.alertrelay.it.failover.harness;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.testing.redis.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;

/** The faults of the suite and of the benchmark, and how each is injected. */
public enum Fault {
    MASTER_SIGKILL("master SIGKILL", true,
            "SIGKILL the master; Sentinel promotes the replica 1-3 s later"),
    MASTER_SIGSTOP("master SIGSTOP, promoted, SIGCONT", true,
            "SIGSTOP the master (sockets stay open, silent); after the promotion SIGCONT it: it accepts writes and keeps"
                    + " its subscribers until Sentinel demotes it about 10 s later"),
    SENTINEL_FAILOVER("SENTINEL FAILOVER", true,
            "SENTINEL FAILOVER mymaster on one sentinel: graceful promotion; the old master stays reachable"),
    FAILOVER_COMMAND("FAILOVER (on the master)", true,
            "FAILOVER on the master (Redis 6.2+): master and replica swap roles without Sentinel; no client is killed;"
                    + " Sentinel names the new master only about 25 s later"),
    CLIENT_KILL_PUBSUB("CLIENT KILL TYPE pubsub", true,
            "CLIENT KILL TYPE pubsub on the master: every subscriber connection there is closed, nothing else changes"),
    MISSED_SWITCH_MASTER("+switch-master missed", true,
            "every sentinel refuses SUBSCRIBE/PSUBSCRIBE (ACL) and its pub/sub clients are killed, then SENTINEL"
                    + " FAILOVER; the ACL is restored 0.5 s after the promotion, so +switch-master reaches nobody"),
    STANDALONE_RESTART("standalone restart", false,
            "a standalone server is stopped (SIGTERM) and started again on the same port"),
    MASTER_PARTITION("master partitioned (iptables)", true,
            "inside a private network namespace, iptables drops every packet to and from the master's port; healed"
                    + " after the promotion");

    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(20);

    private final String label;
    private final boolean sentinel;
    private final String description;

    Fault(String label, boolean sentinel, String description) {
        this.label = label;
        this.sentinel = sentinel;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public boolean needsSentinel() {
        return sentinel;
    }

    public String description() {
        return description;
    }

    /**
     * What an injection did.
     *
     * @param faultNanos    System.nanoTime when the fault was injected
     * @param faultInstant  the same moment on the wall clock (for {@code SourceStatus.since})
     * @param oldMaster     the master before ({@code host:port})
     * @param newMaster     the node that is master after (the same for faults without a failover)
     * @param failoverNanos when the new master was known (sentinels agreed, or the role changed); for faults without
     *                      a failover, when the fault was over
     */
    public record Outcome(long faultNanos, Instant faultInstant, String oldMaster, String newMaster,
            long failoverNanos) {
        public boolean masterChanged() {
            return !oldMaster.equals(newMaster);
        }
    }

    /** Injects the fault and returns once the new master is known (or the fault is over). */
    public Outcome inject(Target target) {
        if (sentinel != target.isSentinel()) {
            throw new IllegalArgumentException(label + " needs a " + (sentinel ? "Sentinel" : "standalone") + " target");
        }
        if (!sentinel) {
            RedisServerProcess server = target.standalone();
            long at = System.nanoTime();
            Instant instant = Instant.now();
            server.restart();
            return new Outcome(at, instant, server.address(), server.address(), System.nanoTime());
        }
        RedisServerProcess master = target.topology().master();
        RedisServerProcess replica = target.topology().replica();
        String old = master.address();
        long at;
        Instant instant;
        switch (this) {
            case MASTER_SIGKILL -> {
                at = System.nanoTime();
                instant = Instant.now();
                master.kill();
                return failedOver(target, at, instant, old);
            }
            case MASTER_SIGSTOP -> {
                at = System.nanoTime();
                instant = Instant.now();
                master.pause();
                try {
                    return failedOver(target, at, instant, old);
                } finally {
                    master.resume();
                }
            }
            case SENTINEL_FAILOVER -> {
                at = System.nanoTime();
                instant = Instant.now();
                target.topology().sentinels().get(0).command("SENTINEL", "FAILOVER", target.masterName());
                return failedOver(target, at, instant, old);
            }
            case FAILOVER_COMMAND -> {
                at = System.nanoTime();
                instant = Instant.now();
                master.command("FAILOVER", "TO", replica.host(), String.valueOf(replica.port()));
                long deadline = at + FAILOVER_TIMEOUT.toNanos();
                while (!Target.quietly(replica, "ROLE").startsWith("master")) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("FAILOVER: " + replica.address() + " is not master after "
                                + FAILOVER_TIMEOUT.toSeconds() + " s\n" + target.logTails(20));
                    }
                    sleep(10);
                }
                return new Outcome(at, instant, old, replica.address(), System.nanoTime());
            }
            case CLIENT_KILL_PUBSUB -> {
                at = System.nanoTime();
                instant = Instant.now();
                master.command("CLIENT", "KILL", "TYPE", "pubsub");
                return new Outcome(at, instant, old, old, System.nanoTime());
            }
            case MISSED_SWITCH_MASTER -> {
                for (RedisServerProcess s : target.topology().sentinels()) {
                    s.command("ACL", "SETUSER", "default", "-subscribe", "-psubscribe");
                    s.command("CLIENT", "KILL", "TYPE", "pubsub");
                }
                at = System.nanoTime();
                instant = Instant.now();
                try {
                    target.topology().sentinels().get(0).command("SENTINEL", "FAILOVER", target.masterName());
                    Outcome outcome = failedOver(target, at, instant, old);
                    sleep(500);
                    return outcome;
                } finally {
                    for (RedisServerProcess s : target.topology().sentinels()) {
                        Target.quietly(s, "ACL", "SETUSER", "default", "+subscribe", "+psubscribe");
                    }
                }
            }
            case MASTER_PARTITION -> {
                at = System.nanoTime();
                instant = Instant.now();
                Netns.partition(master.port());
                try {
                    return failedOver(target, at, instant, old);
                } finally {
                    Netns.heal(master.port());
                }
            }
            default -> throw new IllegalStateException("unhandled " + this);
        }
    }

    private static Outcome failedOver(Target target, long at, Instant instant, String old) {
        HostAndPort promoted = target.topology().awaitFailover(FAILOVER_TIMEOUT);
        return new Outcome(at, instant, old, promoted.host() + ":" + promoted.port(), System.nanoTime());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
