package io.alertrelay.source.redis;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls until something happens in a real-Redis test; the bound is generous, the common case fast. */
final class Await {
    private Await() {}

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(() -> what, timeout, condition);
    }

    static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Waits until the source is VERIFIED on {@code node}. */
    static void verifiedOn(RedisSource source, String node, Duration timeout) {
        until(() -> "VERIFIED on " + node + "; status is " + source.status(), timeout, () -> {
            SourceStatus status = source.status();
            return status.state() == SubscriptionState.VERIFIED && status.node().filter(node::equals).isPresent();
        });
    }
}
