package io.alertrelay.testing.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the {@code redis-server} binary for the real-Redis fixtures.
 *
 * <p>Looked up in this order: system property {@code alertrelay.redis-server}, environment variable
 * {@code REDIS_SERVER}, every directory on {@code PATH}, then {@code /usr/bin}, {@code /usr/local/bin}.
 *
 * <p>Tests skip when it is missing ({@link #assumeAvailable()}, {@link RequiresRedisServer}), <em>except on CI</em>
 * (environment {@code CI=true}) or with {@code -Dalertrelay.redis.required=true}: there a missing binary fails the test,
 * so a broken CI image cannot turn the failover tests into silent skips.
 */
public final class RedisBinaries {
    private RedisBinaries() {}

    /** The {@code redis-server} executable, if one is installed. */
    public static Optional<Path> redisServer() {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("alertrelay.redis-server");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property));
        }
        String env = System.getenv("REDIS_SERVER");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir, "redis-server"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        candidates.add(Path.of("/usr/local/bin/redis-server"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** True when a missing binary must fail tests rather than skip them (CI, or the system property). */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI"))
                || Boolean.parseBoolean(System.getProperty("alertrelay.redis.required"));
    }

    /** Why tests are skipped, for messages. */
    public static String missingReason() {
        return "redis-server is not installed (not on PATH, /usr/bin or /usr/local/bin; set REDIS_SERVER or "
                + "-Dalertrelay.redis-server=/path/to/redis-server). Install it with: apt-get install redis-server";
    }

    /** The binary, or a clear failure explaining how to install it. */
    static Path require() {
        return redisServer().orElseThrow(() -> new IllegalStateException(missingReason()));
    }

    /** JUnit 5 assumption: skips the calling test when redis-server is missing (fails instead on CI). */
    public static void assumeAvailable() {
        if (required()) {
            require();
            return;
        }
        Assumptions.assumeTrue(redisServer().isPresent(), RedisBinaries::missingReason);
    }
}
