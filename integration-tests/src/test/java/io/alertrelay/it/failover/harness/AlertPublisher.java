package io.alertrelay.it.failover.harness;

import io.alertrelay.testing.redis.RespClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes numbered {@link Alert}s at a fixed rate on one thread, over a plain RESP connection with a short timeout,
 * and records which PUBLISHes were acknowledged (an integer reply, no error, within the timeout) and by which node.
 *
 * <ul>
 *   <li>After any error (timeout, reset, refused, error reply) it drops the connection and asks {@code resolver} for
 *       the master again (publisher A: a sentinel; the probe: a fixed node).</li>
 *   <li>With {@code followSentinels}, it also listens to {@code +switch-master} on those sentinels and moves to the
 *       announced master before its next PUBLISH (publisher B).</li>
 * </ul>
 *
 * <p>Slots missed while connecting are skipped, never caught up in a burst: the rate is an upper bound.
 */
public final class AlertPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertPublisher.class);
    private static final long MAX_LAG_NANOS = Duration.ofMillis(50).toNanos();

    /** One acknowledged PUBLISH: the node that answered, when it was sent and when answered (System.nanoTime). */
    public record Ack(String node, long sentNanos, long nanos) {}

    private final String name;
    private final long periodNanos;
    private final Supplier<String> resolver;
    private final Duration timeout;
    private final Map<Long, Ack> acks = new ConcurrentHashMap<>();
    private final Map<Long, Ack> unacknowledged = new ConcurrentHashMap<>();
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong switches = new AtomicLong();
    private final List<String> errorLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread thread;
    private final SwitchMasterListener switchListener;
    private volatile boolean running = true;
    private volatile String announcedMaster;
    private volatile String lastError = "";
    private String current;
    private RespClient connection;

    /**
     * @param resolver        returns the master as {@code host:port}; may throw (the slot is then skipped)
     * @param followSentinels sentinel addresses ({@code host:port}) to follow {@code +switch-master} on, or empty
     */
    public AlertPublisher(String name, int ratePerSecond, Supplier<String> resolver, List<String> followSentinels,
            Duration timeout) {
        this.name = name;
        this.periodNanos = 1_000_000_000L / ratePerSecond;
        this.resolver = resolver;
        this.timeout = timeout;
        this.switchListener = followSentinels.isEmpty() ? null : new SwitchMasterListener(followSentinels);
        this.thread = new Thread(this::run, "publisher-" + name);
        this.thread.setDaemon(true);
    }

    public AlertPublisher start() {
        if (switchListener != null) {
            switchListener.start();
        }
        thread.start();
        return this;
    }

    public String name() {
        return name;
    }

    /** Acknowledged alerts by sequence number. */
    public Map<Long, Ack> acks() {
        return Map.copyOf(acks);
    }

    public long acknowledged() {
        return acks.size();
    }

    /**
     * PUBLISHes that failed after a node was chosen (timeout, reset, error reply), by sequence number: the node, when
     * the attempt started and when it failed. Whether the server executed them is unknown.
     */
    public Map<Long, Ack> unacknowledged() {
        return Map.copyOf(unacknowledged);
    }

    public long attempted() {
        return attempted.get();
    }

    public long errors() {
        return errors.get();
    }

    /** How often this publisher moved because of a {@code +switch-master} message. */
    public long switches() {
        return switches.get();
    }

    /**
     * The first 20 errors, each as {@code <System.nanoTime> <alert> <message>}, with times made relative to
     * {@code zeroNanos}.
     */
    public List<String> errors(long zeroNanos) {
        return errorLog.stream().map(line -> {
            int space = line.indexOf(' ');
            long at = (Long.parseLong(line.substring(0, space)) - zeroNanos) / 1_000_000;
            return (at >= 0 ? "+" : "") + at + "ms" + line.substring(space);
        }).toList();
    }

    public String lastError() {
        return lastError;
    }

    /** Stops publishing (waits for the PUBLISH in flight) and closes every connection. */
    @Override
    public void close() {
        running = false;
        if (switchListener != null) {
            switchListener.close();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long next = System.nanoTime();
        long seq = 0;
        try {
            while (running) {
                long now = System.nanoTime();
                if (now < next) {
                    LockSupport.parkNanos(next - now);
                    continue;
                }
                next += periodNanos;
                if (System.nanoTime() - next > MAX_LAG_NANOS) {
                    next = System.nanoTime();
                }
                publish(new Alert(name, ++seq));
            }
        } finally {
            disconnect();
        }
    }

    private void publish(Alert alert) {
        attempted.incrementAndGet();
        long attemptNanos = System.nanoTime();
        String announced = announcedMaster;
        if (announced != null && !announced.equals(current)) {
            log.debug("publisher {} follows +switch-master to {}", name, announced);
            disconnect();
            current = announced;
            switches.incrementAndGet();
        }
        try {
            if (connection == null) {
                if (current == null) {
                    current = resolver.get();
                }
                int colon = current.lastIndexOf(':');
                connection = RespClient.connect(current.substring(0, colon),
                        Integer.parseInt(current.substring(colon + 1)), timeout);
            }
            long sent = System.nanoTime();
            Object reply = connection.call("PUBLISH", alert.channel(), alert.payload());
            if (reply instanceof Long) {
                acks.put(alert.seq(), new Ack(current, sent, System.nanoTime()));
            } else {
                throw new IllegalStateException("unexpected reply " + reply);
            }
        } catch (RuntimeException e) {
            if (current != null) {
                unacknowledged.put(alert.seq(), new Ack(current, attemptNanos, System.nanoTime()));
            }
            if (errors.incrementAndGet() <= 20) {
                errorLog.add(System.nanoTime() + " " + alert + " " + e.getMessage());
            }
            lastError = e.getMessage();
            disconnect();
            current = null;   // re-resolve before the next PUBLISH
        }
    }

    private void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** Keeps one {@code SUBSCRIBE +switch-master} connection to some sentinel, reconnecting to the next on failure. */
    private final class SwitchMasterListener {
        private final List<String> sentinels;
        private final Thread listener;
        private volatile RespClient client;

        SwitchMasterListener(List<String> sentinels) {
            this.sentinels = List.copyOf(sentinels);
            this.listener = new Thread(this::listen, "publisher-" + name + "-switch-master");
            this.listener.setDaemon(true);
        }

        void start() {
            listener.start();
        }

        void close() {
            RespClient c = client;
            if (c != null) {
                c.close();
            }
            listener.interrupt();
            try {
                listener.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void listen() {
            int index = 0;
            while (running) {
                String sentinel = sentinels.get(index++ % sentinels.size());
                int colon = sentinel.lastIndexOf(':');
                try (RespClient c = RespClient.connect(sentinel.substring(0, colon),
                        Integer.parseInt(sentinel.substring(colon + 1)), Duration.ofSeconds(60))) {
                    client = c;
                    c.call("SUBSCRIBE", "+switch-master");
                    while (running) {
                        Object push = c.receive();
                        switchTarget(push).ifPresent(target -> announcedMaster = target);
                    }
                } catch (RuntimeException e) {
                    if (running) {
                        log.debug("publisher {}: +switch-master subscription on {} lost: {}", name, sentinel,
                                e.getMessage());
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException interrupted) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** {@code ["message", "+switch-master", "mymaster 127.0.0.1 1 127.0.0.1 2"]} → {@code 127.0.0.1:2}. */
    static Optional<String> switchTarget(Object push) {
        if (push instanceof List<?> list && list.size() == 3 && "message".equals(list.get(0))) {
            String[] parts = String.valueOf(list.get(2)).split(" ");
            if (parts.length == 5) {
                return Optional.of(parts[3] + ":" + parts[4]);
            }
        }
        return Optional.empty();
    }
}
