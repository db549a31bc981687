package io.alertrelay.watchdog.canary;

import java.util.concurrent.CompletionStage;

/**
 * Port: publishes a canary the way producers publish alerts (to the Redis master as producers find it: through
 * Sentinel, or the configured address), on a connection other than the relay's subscriber connection.
 *
 * <p>Called from the monitor's {@link CanaryMonitor#tick()} thread; must not block (return a stage). A stage that
 * completes exceptionally, or a throw, counts as a miss for that canary with the exception as the reason.
 */
@FunctionalInterface
public interface CanaryPublisher {
    CompletionStage<Void> publish(String channel, String payload);
}
