package io.alertrelay.watchdog;

import java.util.List;

/**
 * Whether the relay is ready ({@code /health/ready}) or its loop passes (the heartbeat). Called from HTTP and scheduler
 * threads: implementations must be thread-safe and fast (no I/O).
 */
@FunctionalInterface
public interface ReadinessCheck {
    Readiness check();

    /**
     * Ready when every check is; collects all reasons. A check that throws counts as not ready (the exception's
     * class is the reason), so one broken check cannot make the relay look healthy.
     */
    static ReadinessCheck allOf(ReadinessCheck... checks) {
        List<ReadinessCheck> all = List.of(checks);
        return () -> {
            Readiness result = Readiness.ok();
            for (ReadinessCheck check : all) {
                Readiness one;
                try {
                    one = check.check();
                } catch (RuntimeException e) {
                    one = Readiness.notReady("readiness check failed: " + e.getClass().getSimpleName());
                }
                result = result.and(one);
            }
            return result;
        };
    }
}
