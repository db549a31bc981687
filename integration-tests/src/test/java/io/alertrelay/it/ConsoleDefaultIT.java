package io.alertrelay.it;

import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise with the local default's shape (pattern alerts:*, console sink), on a private port instead of
 * 6379: publishing {"title":"hello"} prints the notification on stdout.
 */
@RequiresRedisServer
final class ConsoleDefaultIT {
    @TempDir
    Path dir;

    @Test
    void printsAPublishedAlertOnStandardOutput() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             RelayProcess relay = RelayProcess.startWithConfig(dir, """
                     redis:
                       url: redis://127.0.0.1:%d
                     subscriptions:
                       - pattern: "alerts:*"
                     sinks:
                       console:
                         type: console
                     http: {port: 0}
                     """.formatted(redis.port()), Map.of())) {
            relay.awaitStderr(line -> line.contains("VERIFIED"), Duration.ofSeconds(20));
            try (Publisher publisher = new Publisher("127.0.0.1", redis.port())) {
                publisher.publish("alerts:demo", "{\"title\":\"hello\"}");
            }
            relay.awaitStdout(line -> line.contains("FIRING [warning] hello | channel=alerts:demo"), Duration.ofSeconds(20));
        }
    }
}
