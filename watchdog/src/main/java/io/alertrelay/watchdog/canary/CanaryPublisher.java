package io.alertrelay.watchdog.canary;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Port: publishes a canary on one Redis node the way producers publish alerts (a connection other than the relay's
 * subscriber connections), and says where it can come back from.
 *
 * <p>Called from the monitor's {@link CanaryMonitor#tick()} thread; must not block (return a stage). A stage that
 * completes exceptionally, or a throw, is a publishing problem of that node ("canaries cannot be published on X"):
 * never evidence against any subscription.
 */
@FunctionalInterface
public interface CanaryPublisher {
    CompletionStage<Published> publish(String node, String channel, String payload);

    /**
     * Where a canary went.
     *
     * @param node     the node that acknowledged the PUBLISH ({@code host:port})
     * @param replicas the nodes replicating from it with their link up at that moment (they deliver it too)
     */
    record Published(String node, List<String> replicas) {
        public Published {
            requireNonNull(node, "node is null");
            replicas = List.copyOf(replicas);
        }

        /** A node without replicas (standalone, or none online). */
        public static Published on(String node) {
            return new Published(node, List.of());
        }
    }
}
