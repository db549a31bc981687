package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.InboundMessage.Completion;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells sources that a message is fully handled once the outbox notifications made from it are durable (a stream entry
 * is XACKed then). One daemon thread waits for the outbox's group commit: outbox ids grow in the order they are taken
 * and "durable up to id N" covers every earlier id, so waiting in queue order costs one wait per flush, not per message.
 * A message with nothing to make durable (rejected, unrouted, absorbed) is completed in the same order.
 */
final class DurableCompletions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableCompletions.class);

    /** Waits until every outbox id up to the given one is durable. */
    @FunctionalInterface
    interface DurableWait {
        void awaitDurable(long id) throws InterruptedException;
    }

    private record Pending(long upToId, Completion completion) {}

    private final DurableWait durable;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    DurableCompletions(DurableWait durable) {
        this.durable = requireNonNull(durable, "durable is null");
        this.thread = new Thread(this::run, "durable-completions");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes {@code completion} once outbox id {@code upToId} is durable (0: nothing to wait for). */
    void completeWhenDurable(long upToId, Completion completion) {
        queue.add(new Pending(upToId, completion));
    }

    private void run() {
        while (true) {
            Pending pending;
            try {
                pending = queue.take();
                if (pending.upToId() > 0) {
                    durable.awaitDurable(pending.upToId());
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                pending.completion().handled();
            } catch (RuntimeException e) {
                log.warn("A source's completion callback failed", e);
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
