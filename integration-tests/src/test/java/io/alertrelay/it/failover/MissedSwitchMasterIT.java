package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The relay's Sentinel links are down during a graceful failover, so {@code +switch-master} is missed: the periodic
 * reconcile must repair within 5 s of the failover (VERIFIED on the new master). In-process, loss is reported, not
 * asserted; the jar run (which decides) asserts no loss, no duplicate and no false blind window as well.
 */
@RequiresRedisServer
class MissedSwitchMasterIT {
    @Test
    void repairsWithinFiveSecondsOfTheFailover() {
        Summary relay = FaultScenario.run(Fault.MISSED_SWITCH_MASTER, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().repairedWithin(Duration.ofSeconds(5)).check();
    }

    /** The deciding run: the assembled jar, watchdog at its defaults, 500 alerts/s per publisher. */
    @Test
    void theShippedJarRepairsWithinFiveSecondsLosesNothingAndReportsNoFalseBlindWindow() {
        Summary jar = FaultScenario.run(Fault.MISSED_SWITCH_MASTER, FaultScenario.Options.jar()).relay();
        Verdict.on(jar).deliversAgain().repairedWithin(Duration.ofSeconds(5)).noAcknowledgedAlertLost().noDuplicates()
                .noFalseBlindWindows().check();
    }
}
