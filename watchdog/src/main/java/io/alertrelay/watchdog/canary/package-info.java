/**
 * The closed-loop proof that the subscription delivers: {@link io.alertrelay.watchdog.canary.CanaryMonitor} publishes
 * canaries through the producers' path ({@link io.alertrelay.watchdog.canary.CanaryPublisher}) and expects them back
 * through the relay's own subscription on every expected node.
 */
package io.alertrelay.watchdog.canary;
