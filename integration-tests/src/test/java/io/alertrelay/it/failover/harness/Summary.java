package io.alertrelay.it.failover.harness;

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
        Optional<String> statusTimeline) {

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
                        statusTimeline.isPresent() ? " verifiedOnNewMaster=never" : "");
    }

    static String first(List<Alert> alerts) {
        return alerts.stream().limit(8).map(Alert::toString).collect(Collectors.joining(",", "[",
                alerts.size() > 8 ? ",...]" : "]"));
    }

    static String millis(Optional<Long> millis) {
        return millis.map(m -> String.format("%.2fs", m / 1000.0)).orElse("never");
    }
}
