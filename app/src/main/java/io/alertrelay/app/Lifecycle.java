package io.alertrelay.app;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts components in order and stops them in reverse (Airlift's LifeCycleManager shape). A failing stop does not
 * prevent the others; failures are logged and collected as suppressed exceptions.
 */
final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    interface Component {
        String name();

        void start() throws Exception;

        void stop() throws Exception;
    }

    private final Deque<Component> started = new ArrayDeque<>();
    private boolean stopped;

    synchronized void start(Component component) throws Exception {
        if (stopped) {
            throw new IllegalStateException("already stopped");
        }
        component.start();
        started.push(component);
    }

    /** Stops everything started, last first. Idempotent. */
    synchronized RuntimeException stop() {
        RuntimeException failures = new RuntimeException("failures while stopping");
        stopped = true;
        while (!started.isEmpty()) {
            Component component = started.pop();
            try {
                component.stop();
                log.debug("Stopped {}", component.name());
            } catch (Exception e) {
                log.warn("Stopping {} failed", component.name(), e);
                failures.addSuppressed(e);
            }
        }
        return failures.getSuppressed().length == 0 ? null : failures;
    }
}
