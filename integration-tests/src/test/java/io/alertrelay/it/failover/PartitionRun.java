package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Netns;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;

/**
 * The body of {@link MasterPartitionIT}, run in a child JVM inside a private network namespace. With the argument
 * {@code jar}, the subscriber is the assembled jar (its own child process, in the same namespace) and the checks are
 * the jar's; without, the in-process relay. Exits 0 when every check passed, 1 with the reason otherwise, 2 when not in
 * a private namespace (it would refuse to add rules).
 */
public final class PartitionRun {
    private PartitionRun() {}

    public static void main(String[] args) {
        if (!Netns.inPrivateNamespace()) {
            System.out.println("PARTITION-RESULT refused: not in a private network namespace");
            System.exit(2);
        }
        boolean jar = args.length > 0 && args[0].equals("jar");
        try {
            Summary relay = FaultScenario.run(Fault.MASTER_PARTITION,
                    jar ? FaultScenario.Options.jar() : FaultScenario.Options.suite()).relay();
            Verdict verdict = Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates();
            if (jar) {
                verdict.noFalseBlindWindows();
            }
            verdict.check();
            System.out.println("PARTITION-RESULT passed: " + relay.oneLine());
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("PARTITION-RESULT failed: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
