package io.alertrelay.watchdog.canary;

/**
 * Port: asks the source to re-resolve the master and resubscribe on {@code node} (drop the subscriber connection and
 * build a new one). Called on every canary miss, from the monitor's {@link CanaryMonitor#tick()} thread: must not
 * block, should be idempotent while a resubscription is already under way, and should not throw.
 */
@FunctionalInterface
public interface Resubscriber {
    void resubscribe(String node, String reason);
}
