package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The application PING deadline of one subscription connection, without I/O: at most one PING outstanding per
 * connection epoch; when its deadline passes unanswered ({@link #expired}) it says what to do. Messages read since
 * the PING count as an answer (a PONG queued behind a storm is not a freeze). With a {@code grace} (nodes of a set the
 * relay listens on, where other nodes carry on), the first miss only marks the node unresponsive and the connection is
 * kept for up to {@code grace} in case the node resumes (a frozen master still delivers what it acknowledged); after
 * it, the connection is dropped. Without a grace (the relay's one connection) the first miss drops it.
 *
 * <p>Thread-safe; the caller sends the PING and schedules {@link #expired} after {@link #timeout()}.
 */
final class PingDeadline {
    /** One PING sent on connection {@code epoch}, when {@code messagesRead} messages had been read on it. */
    record Ping(long epoch, String node, long messagesRead) {}

    /** What {@link #expired} decides. */
    enum Verdict {
        /** The PING was answered, superseded, or its connection is gone: nothing to do. */
        NONE,
        /** No PONG, but messages arrived since: alive, busy. */
        BUSY,
        /** First miss with a grace: mark the subscription unresponsive, keep the connection. */
        UNRESPONSIVE,
        /** Still within the grace of an earlier miss: keep waiting. */
        IN_GRACE,
        /** Drop the connection so the client reconnects. */
        DROP
    }

    private final Clock clock;
    private final Duration timeout;
    private final Duration grace;
    private Ping pending;            // guarded by this
    private Instant unresponsiveSince;   // guarded by this

    /** @param grace how long a connection that missed the deadline is kept (zero: dropped at the first miss) */
    PingDeadline(Clock clock, Duration timeout, Duration grace) {
        this.clock = requireNonNull(clock, "clock is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.grace = requireNonNull(grace, "grace is null");
    }

    Duration timeout() {
        return timeout;
    }

    /** A new PING to send on connection {@code epoch}, or null while one sent on that connection is outstanding. */
    synchronized Ping begin(long epoch, String node, long messagesRead) {
        if (pending != null && pending.epoch() == epoch) {
            return null;
        }
        pending = new Ping(epoch, node, messagesRead);
        return pending;
    }

    /**
     * The server answered {@code ping} (PONG or an error reply: alive). When the connection {@code currentEpoch} had
     * been marked unresponsive, returns how long it was (and clears the mark).
     */
    synchronized Optional<Duration> answered(Ping ping, long currentEpoch) {
        if (pending == ping) {
            pending = null;
        }
        if (unresponsiveSince == null || ping.epoch() != currentEpoch) {
            return Optional.empty();
        }
        Duration silent = Duration.between(unresponsiveSince, clock.instant());
        unresponsiveSince = null;
        return Optional.of(silent);
    }

    /** The deadline of {@code ping} passed: what to do, given the current connection epoch and messages read. */
    synchronized Verdict expired(Ping ping, long currentEpoch, long messagesRead) {
        if (pending != ping) {
            return Verdict.NONE;
        }
        pending = null;
        if (ping.epoch() != currentEpoch) {
            return Verdict.NONE;
        }
        if (messagesRead != ping.messagesRead()) {
            return Verdict.BUSY;
        }
        if (!grace.isZero()) {
            Instant now = clock.instant();
            if (unresponsiveSince == null) {
                unresponsiveSince = now;
                return Verdict.UNRESPONSIVE;
            }
            if (Duration.between(unresponsiveSince, now).compareTo(grace) < 0) {
                return Verdict.IN_GRACE;
            }
        }
        unresponsiveSince = null;
        return Verdict.DROP;
    }

    /** A new connection, or the connection lost: forget the outstanding PING and the unresponsive mark. */
    synchronized void reset() {
        pending = null;
        unresponsiveSince = null;
    }

    /** Whether the connection is marked unresponsive (missed a deadline, within its grace). */
    synchronized boolean unresponsive() {
        return unresponsiveSince != null;
    }
}
