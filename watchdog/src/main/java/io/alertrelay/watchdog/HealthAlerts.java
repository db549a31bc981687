package io.alertrelay.watchdog;

import io.alertrelay.spi.Alert;

/**
 * Port: where alerts about the relay itself go (the sinks named by {@code watchdog.health-route}). The app implements
 * it by handing the alert to those sinks' queues; the watchdog builds the alerts with {@link RelayHealthAlerts}.
 *
 * <p>Called from the watchdog's scheduler and from the thread that reports a canary; implementations must not block
 * (enqueue, do not deliver inline) and should not throw (a throw is logged and otherwise ignored).
 */
public interface HealthAlerts {
    /** A problem with the relay, or a one-off notice (a blind window); {@link Alert#status()} is firing. */
    void raise(Alert alert);

    /** The end of a problem raised earlier: same {@link Alert#id()}, {@link Alert#status()} resolved. */
    void resolve(Alert alert);
}
