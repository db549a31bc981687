package io.alertrelay.it.failover.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The suite's checks on one {@link Summary}, collected so that one failure message reports every broken expectation
 * (and what was lost) at once. Throws {@link AssertionError}; no test framework needed (also used by the partition
 * test's child JVM).
 */
public final class Verdict {
    private final Summary summary;
    private final List<String> failures = new ArrayList<>();

    private Verdict(Summary summary) {
        this.summary = summary;
    }

    public static Verdict on(Summary summary) {
        return new Verdict(summary);
    }

    /** A post-fault alert acknowledged by the new master arrived, and the relay is VERIFIED on the new master. */
    public Verdict deliversAgain() {
        if (!summary.resumed()) {
            failures.add("no alert acknowledged by the new master " + summary.newMaster()
                    + " after the fault was delivered");
        }
        if (summary.statusTimeline().isPresent() && summary.verifiedMillis().isEmpty()) {
            failures.add("status() never became VERIFIED on the new master " + summary.newMaster() + "; now "
                    + summary.finalStatus().orElse("?"));
        }
        return this;
    }

    public Verdict noAcknowledgedAlertLost() {
        if (!summary.lost().isEmpty()) {
            failures.add(summary.lost().size() + " acknowledged alerts lost, first " + Summary.first(summary.lost()));
        }
        return this;
    }

    public Verdict noDuplicates() {
        if (summary.duplicates() > 0) {
            failures.add(summary.duplicates() + " duplicate deliveries, first " + Summary.first(summary.duplicated()));
        }
        return this;
    }

    /** The relay was VERIFIED on the new master within {@code bound} of the failover. */
    public Verdict repairedWithin(Duration bound) {
        if (summary.repairMillis().isEmpty()) {
            failures.add("not repaired: never VERIFIED on the new master " + summary.newMaster());
        } else if (summary.repairMillis().get() > bound.toMillis()) {
            failures.add("repaired " + summary.repairMillis().get() + " ms after the failover, more than "
                    + bound.toMillis() + " ms");
        }
        return this;
    }

    /**
     * No reported blind window is false: for each window the relay reported (closed, or still open at the end), at
     * least one alert acknowledged by its node (any node, when the window names none) while it was open was lost. A
     * window with nothing acknowledged there counts as false too. Needs a subscriber with a watchdog (the jar).
     */
    public Verdict noFalseBlindWindows() {
        if (summary.blindWindows().isEmpty()) {
            failures.add("subscriber " + summary.subscriber() + " reports no blind windows (no watchdog): cannot check");
            return this;
        }
        List<WindowJudgement> wrong = summary.falseBlindWindows();
        if (!wrong.isEmpty()) {
            failures.add(wrong.size() + " false blind window(s) of " + summary.blindWindows().get().size()
                    + " reported: " + wrong.stream().map(WindowJudgement::describe)
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
        return this;
    }

    /**
     * A blind window was reported, and it covers every lost alert: for each, a window on the node that acknowledged
     * it (or on no particular node) overlaps its PUBLISH, from sent to acknowledged, within 2 ms (the harness maps
     * System.nanoTime onto the wall clock once, at the fault). For faults where loss is real (standalone restart).
     */
    public Verdict blindWindowReportedCoveringTheLoss() {
        if (summary.blindWindows().isEmpty()) {
            failures.add("subscriber " + summary.subscriber() + " reports no blind windows (no watchdog): cannot check");
            return this;
        }
        List<ReportedWindow> windows = summary.blindWindows().get().stream().map(WindowJudgement::window).toList();
        if (windows.isEmpty()) {
            failures.add("no blind window reported although " + summary.lost().size() + " acknowledged alerts were lost");
            return this;
        }
        List<String> uncovered = summary.lostOutsideWindows().stream().map(alert -> {
            Summary.AckedAt ack = summary.lostAcks().get(alert);
            return alert + " (acked by " + ack.node() + " at " + ack.acknowledged() + ")";
        }).toList();
        if (!uncovered.isEmpty()) {
            failures.add(uncovered.size() + " lost alerts outside every reported blind window, first "
                    + uncovered.stream().limit(8).toList() + "; windows: " + summary.blindWindows().get().stream()
                    .map(WindowJudgement::describe).collect(java.util.stream.Collectors.joining("; ")));
        }
        return this;
    }

    public void check() {
        if (!failures.isEmpty()) {
            StringBuilder message = new StringBuilder(summary.fault().label() + " [" + summary.subscriber() + "]: "
                    + String.join("; ", failures) + "\n  summary: " + summary.oneLine()
                    + summary.statusTimeline().map(t -> "\n  relay states: " + t).orElse(""));
            summary.blindWindows().ifPresent(list -> list.forEach(w -> message.append("\n  ").append(w.describe())));
            summary.diagnostics().forEach(line -> message.append("\n  | ").append(line));
            throw new AssertionError(message.toString());
        }
    }
}
