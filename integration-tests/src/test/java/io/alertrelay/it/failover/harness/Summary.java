package io.alertrelay.it.failover.harness;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one subscriber saw in one run of one fault.
 *
 * @param acknowledged            acknowledged PUBLISHes per publisher (A, B, and the probe P)
 * @param delivered               distinct numbered alerts received
 * @param lost                    acknowledged but never received, in order
 * @param lostDetail              the first few lost alerts with the node that acknowledged each and when, relative
 *                                to the fault ({@code A-508 sent to 127.0.0.1:6380 at -1ms, acked at +3218ms})
 * @param duplicates              deliveries beyond the first, summed
 * @param duplicated              alerts received more than once, in order
 * @param unacknowledgedDelivered received although their PUBLISH was not acknowledged (timed out)
 * @param failoverMillis          fault → new master known
 * @param firstDeliveryMillis     fault → first received alert that the new master acknowledged after the fault was
 *                                over (failover observed, or the fault command returned)
 * @param verifiedMillis          fault → relay status VERIFIED on the new master (relay only)
 * @param statusTimeline          the relay's observed states, for diagnosis (relay only)
 * @param blindWindows            the blind windows the relay reported, each judged (subscribers with a watchdog: the
 *                                jar)
 * @param lostAcks                each lost alert's acknowledgement on the wall clock, in order
 * @param diagnostics             lines to show when a check fails (the jar: its run directory, WARN/ERROR log lines)
 */
public record Summary(
        Fault fault,
        String subscriber,
        Map<String, Long> acknowledged,
        long delivered,
        List<Alert> lost,
        List<String> lostDetail,
        long duplicates,
        List<Alert> duplicated,
        long unacknowledgedDelivered,
        String oldMaster,
        String newMaster,
        long failoverMillis,
        Optional<Long> firstDeliveryMillis,
        Optional<Long> verifiedMillis,
        Optional<String> finalStatus,
        Optional<String> statusTimeline,
        Optional<List<WindowJudgement>> blindWindows,
        Map<Alert, AckedAt> lostAcks,
        List<String> diagnostics) {

    /** Which node acknowledged an alert, when the PUBLISH was sent and when it was acknowledged (wall clock). */
    public record AckedAt(String node, Instant sent, Instant acknowledged) {}

    /**
     * Lost alerts that no reported blind window covers (a window on the node that acknowledged it, or on no particular
     * node, overlapping its PUBLISH within 2 ms): losses the relay did not tell anyone about. Empty without a watchdog.
     */
    public List<Alert> lostOutsideWindows() {
        if (blindWindows.isEmpty()) {
            return List.of();
        }
        List<ReportedWindow> windows = blindWindows.get().stream().map(WindowJudgement::window).toList();
        return lostAcks.entrySet().stream()
                .filter(e -> windows.stream().noneMatch(w -> w.concerns(e.getValue().node())
                        && w.overlaps(e.getValue().sent(), e.getValue().acknowledged(), 2)))
                .map(Map.Entry::getKey).toList();
    }

    /** The reported blind windows found false: every alert acknowledged there meanwhile was delivered. */
    public List<WindowJudgement> falseBlindWindows() {
        return blindWindows.orElse(List.of()).stream().filter(WindowJudgement::isFalse).toList();
    }

    /** Delivery resumed from the new master within the run's recovery timeout. */
    public boolean resumed() {
        return firstDeliveryMillis.isPresent();
    }

    /** Failover → relay VERIFIED on the new master, if it got there. */
    public Optional<Long> repairMillis() {
        return verifiedMillis.map(v -> Math.max(0, v - failoverMillis));
    }

    /** The one-line summary each test logs. */
    public String oneLine() {
        return "fault=\"" + fault.label() + "\" subscriber=\"" + subscriber + "\" master " + oldMaster + " -> "
                + newMaster + " | acked " + acknowledged.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")) + " | delivered=" + delivered + " lost=" + lost.size()
                + (lost.isEmpty() ? "" : " " + first(lost) + " (" + String.join(", ", lostDetail) + ")")
                + " duplicates=" + duplicates
                + (duplicated.isEmpty() ? "" : " " + first(duplicated)) + " unackedDelivered="
                + unacknowledgedDelivered + " | failover=" + millis(Optional.of(failoverMillis))
                + " firstDeliveryFromNewMaster=" + millis(firstDeliveryMillis)
                + verifiedMillis.map(v -> " verifiedOnNewMaster=" + millis(Optional.of(v))).orElse(
                        statusTimeline.isPresent() ? " verifiedOnNewMaster=never" : "")
                + blindWindows.map(w -> " | blindWindows=" + w.size() + " false=" + falseBlindWindows().size()
                        + " lostOutsideWindows=" + lostOutsideWindows().size()).orElse("");
    }

    static String first(List<Alert> alerts) {
        return alerts.stream().limit(8).map(Alert::toString).collect(Collectors.joining(",", "[",
                alerts.size() > 8 ? ",...]" : "]"));
    }

    static String millis(Optional<Long> millis) {
        return millis.map(m -> String.format("%.2fs", m / 1000.0)).orElse("never");
    }
}
