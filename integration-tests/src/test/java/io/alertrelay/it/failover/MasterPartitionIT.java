package io.alertrelay.it.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.it.failover.harness.JarSubscriber;
import io.alertrelay.it.failover.harness.Netns;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A true partition of the master: every packet to and from its port is dropped (no reset), Sentinel promotes the
 * replica, then the partition heals. iptables must never touch the machine's own network, so the whole run (Redis,
 * sentinels, relay, publishers) happens in a child JVM inside its own network namespace
 * ({@code unshare -n}, loopback up), see {@link PartitionRun}; in the jar run the relay jar is a child process of
 * that JVM, so it is inside the namespace too. Skipped, with the reason, where that is impossible.
 */
@RequiresRedisServer
class MasterPartitionIT {
    /** In-process {@code RedisSource} without the watchdog, 250 alerts/s per publisher: fast, not deciding. */
    @Test
    void deliversEveryAcknowledgedAlertOnce() throws IOException, InterruptedException {
        runInPrivateNamespace(false, Duration.ofSeconds(90));
    }

    /**
     * The deciding run: the assembled jar (a child process of the namespaced JVM, so inside the namespace too),
     * watchdog at its defaults, 500 alerts/s per publisher; no loss, no duplicate, no false blind window.
     */
    @Test
    void theShippedJarDeliversEveryAcknowledgedAlertOnceAndReportsNoFalseBlindWindow()
            throws IOException, InterruptedException {
        runInPrivateNamespace(true, Duration.ofSeconds(150));
    }

    private static void runInPrivateNamespace(boolean jar, Duration timeout) throws IOException, InterruptedException {
        Optional<String> why = Netns.whyNoPartition();
        Assumptions.assumeTrue(why.isEmpty(), () -> "no private network namespace with iptables: " + why.orElse(""));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jarProperty = jar ? " '-D" + JarSubscriber.JAR_PROPERTY + "=" + JarSubscriber.jarPath() + "'" : "";
        String inner = "ip link set lo up && exec '" + java + "' '-D" + Netns.PARENT_NAMESPACE + "="
                + Netns.currentNamespace().orElse("unknown") + "'" + jarProperty + " -cp '"
                + System.getProperty("java.class.path") + "' " + PartitionRun.class.getName() + (jar ? " jar" : "");
        Process child = new ProcessBuilder(List.of("unshare", "-n", "sh", "-c", inner))
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        Thread pump = new Thread(() -> {
            try {
                for (String line : new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .split("\n")) {
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the child died; its status says so
            }
        });
        pump.start();
        boolean done = child.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            child.destroyForcibly();
        }
        pump.join(5_000);
        String lines = output.toString();
        lines.lines().filter(l -> l.contains("SUMMARY") || l.contains("BLIND-WINDOW") || l.contains("PARTITION-RESULT"))
                .forEach(System.out::println);
        assertThat(done).as("partition run finished within %s s\n%s", timeout.toSeconds(), lines).isTrue();
        assertThat(child.exitValue()).as("partition run in its own network namespace:\n%s", lines).isZero();
    }
}
