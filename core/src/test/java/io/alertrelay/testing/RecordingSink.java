package io.alertrelay.testing;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A sink that records every delivery attempt and answers from a script (default: delivered). Thread-safe.
 */
public final class RecordingSink implements Sink {
    private final List<Alert> attempts = new ArrayList<>();
    private final Deque<Function<Alert, DeliveryResult>> script = new ArrayDeque<>();
    private volatile boolean closed;

    /** The next attempts answer these results, in order; after them every attempt is delivered. */
    public synchronized RecordingSink thenAnswer(DeliveryResult... results) {
        for (DeliveryResult result : results) {
            script.add(alert -> result);
        }
        return this;
    }

    public synchronized RecordingSink thenThrow(RuntimeException exception) {
        script.add(alert -> {
            throw exception;
        });
        return this;
    }

    @Override
    public DeliveryResult deliver(Alert alert) {
        Function<Alert, DeliveryResult> answer;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("deliver after close");
            }
            attempts.add(alert);
            notifyAll();
            answer = script.poll();
        }
        return answer == null ? DeliveryResult.delivered() : answer.apply(alert);
    }

    public synchronized List<Alert> attempts() {
        return List.copyOf(attempts);
    }

    /** Waits until at least {@code count} attempts were made; returns them. Fails after {@code timeout}. */
    public synchronized List<Alert> awaitAttempts(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (attempts.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " attempts within " + timeout + ", got " + attempts.size());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(attempts);
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
