package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Netns;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;

/**
 * The body of {@link MasterPartitionIT}, run in a child JVM inside a private network namespace. Exits 0 when every
 * check passed, 1 with the reason otherwise, 2 when not in a private namespace (it would refuse to add rules).
 */
public final class PartitionRun {
    private PartitionRun() {}

    public static void main(String[] args) {
        if (!Netns.inPrivateNamespace()) {
            System.out.println("PARTITION-RESULT refused: not in a private network namespace");
            System.exit(2);
        }
        try {
            Summary relay = FaultScenario.run(Fault.MASTER_PARTITION, FaultScenario.Options.suite()).relay();
            Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates().check();
            System.out.println("PARTITION-RESULT passed: " + relay.oneLine());
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("PARTITION-RESULT failed: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
