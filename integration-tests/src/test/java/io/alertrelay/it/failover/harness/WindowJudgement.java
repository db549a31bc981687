package io.alertrelay.it.failover.harness;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * One reported blind window held against what the publishers and the subscriber saw: the alerts acknowledged by the
 * window's node (by any node when the window names none) while it was open, and which of them were delivered.
 *
 * <p>A window is <em>false</em> when every such alert was delivered, including when there was none: the relay then
 * told humans that alerts "may not have been delivered" where its subscription delivered everything (issue 7). A window
 * is <em>real</em> when at least one of them was lost.
 *
 * @param acknowledged    acknowledged alerts whose PUBLISH (sent .. acknowledged) overlaps the window
 * @param lost            those of them never delivered, in order
 * @param unacknowledged  PUBLISHes sent to the node inside the window that got no acknowledgement (timed out or
 *                        failed; for diagnosis only: whether the server executed them is unknown)
 * @param startMillis     window start, ms relative to the fault
 * @param endMillis       window end, ms relative to the fault
 */
public record WindowJudgement(ReportedWindow window, long acknowledged, List<Alert> lost, long unacknowledged,
        long startMillis, long endMillis) {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);

    public boolean isFalse() {
        return lost.isEmpty();
    }

    /**
     * {@code window on 127.0.0.1:7101 +1204ms..+1530ms (16:06:26.680-16:06:26.986 UTC, 0.33 s): 160 acknowledged
     * there, 0 lost -> FALSE (reason: ...; closed by: ...)}.
     */
    public String describe() {
        ReportedWindow w = window;
        String verdict = isFalse()
                ? (acknowledged == 0 ? "FALSE (no alert acknowledged there meanwhile)" : "FALSE (all delivered)")
                : "real";
        return "window on " + w.node().orElse("any node") + " " + signed(startMillis) + "ms.." + signed(endMillis) + "ms ("
                + TIME.format(w.start()) + "-" + TIME.format(w.end()) + " UTC, "
                + String.format(Locale.ROOT, "%.2f s", Duration.between(w.start(), w.end()).toMillis() / 1000.0)
                + (w.open() ? ", still open at the end" : "") + "): " + acknowledged + " acknowledged there, "
                + lost.size() + " lost" + (lost.isEmpty() ? "" : " " + Summary.first(lost))
                + (unacknowledged > 0 ? ", " + unacknowledged + " unacknowledged PUBLISHes sent there" : "")
                + " -> " + verdict + " (reason: " + w.reason() + (w.closedBy().isEmpty() ? "" : "; closed by: "
                + w.closedBy()) + ")";
    }

    static long relative(Instant instant, Instant faultInstant) {
        return Duration.between(faultInstant, instant).toMillis();
    }

    private static String signed(long millis) {
        return (millis >= 0 ? "+" : "") + millis;
    }
}
