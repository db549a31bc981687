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

    public void check() {
        if (!failures.isEmpty()) {
            throw new AssertionError(summary.fault().label() + ": " + String.join("; ", failures) + "\n  summary: "
                    + summary.oneLine() + summary.statusTimeline().map(t -> "\n  relay states: " + t).orElse(""));
        }
    }
}
