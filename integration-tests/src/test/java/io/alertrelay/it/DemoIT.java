package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.testing.redis.RequiresRedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 7: {@code java -jar alert-relay.jar demo} tells the failover story and exits 0, and no redis-server
 * it started is left (checked by the pids and ports it narrated).
 */
@RequiresRedisServer
final class DemoIT {
    @TempDir
    Path dir;

    @Test
    void theDemoNarratesTheFailoverAndLeavesNoProcessBehind() throws Exception {
        Path out = dir.resolve("demo.out");
        Path err = dir.resolve("demo.err");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", RelayProcess.jar().toAbsolutePath().toString(), "demo")
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean finished = demo.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            demo.destroy();
            demo.waitFor(20, TimeUnit.SECONDS);
        }
        String narration = Files.readString(out);
        assertThat(finished).as("demo finished; narration:%n%s", narration).isTrue();
        assertThat(demo.exitValue()).as("exit; narration:%n%s%nstderr:%n%s", narration, Files.readString(err)).isZero();

        assertThat(narration)
                .contains("demo: started Redis master 127.0.0.1:")
                .contains("demo: relay ready after ")
                .contains("demo: status page: http://127.0.0.1:")
                .contains("demo: published 5 sample alerts on alerts:demo; the console sink printed 5 of 5")
                .contains("demo: killed the master 127.0.0.1:")
                .contains("demo: failover seen: Sentinel promoted 127.0.0.1:")
                .contains("demo: subscription moved: the relay is VERIFIED on 127.0.0.1:")
                .contains("demo: nothing lost: 10 of 10 sample alerts delivered to the console sink")
                .contains("demo: blind-window report: ")
                .contains("demo: cleaned up: stopped 6 processes")
                .contains("demo: done in ");

        Matcher started = Pattern.compile("master 127\\.0\\.0\\.1:(\\d+) \\(pid (\\d+)\\), replica 127\\.0\\.0\\.1:(\\d+) "
                + "\\(pid (\\d+)\\) and Sentinels on \\[([\\d, ]+)] \\(pids \\[([\\d, ]+)]\\)").matcher(narration);
        assertThat(started.find()).as("the start line names ports and pids").isTrue();
        List<Long> pids = new ArrayList<>(List.of(Long.parseLong(started.group(2)), Long.parseLong(started.group(4))));
        for (String pid : started.group(6).split(",\\s*")) {
            pids.add(Long.parseLong(pid));
        }
        List<Integer> ports = new ArrayList<>(List.of(Integer.parseInt(started.group(1)),
                Integer.parseInt(started.group(3))));
        for (String port : started.group(5).split(",\\s*")) {
            ports.add(Integer.parseInt(port));
        }
        assertThat(pids).hasSize(5);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .flatMap(handle -> handle.info().command()).filter(command -> command.contains("redis")))
                    .as("redis-server pid %d is gone", pid)
                    .isEmpty();
        }
        for (int port : ports) {
            assertThat(listening(port)).as("nothing listens on %d any more", port).isFalse();
        }
        long seconds = Long.parseLong(narration.replaceAll("(?s).*demo: done in (\\d+)\\.\\d s.*", "$1"));
        assertThat(seconds).as("the demo takes under a minute").isLessThan(60);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
