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
 * reconcile must repair within 5 s of the failover (VERIFIED on the new master). Loss is reported, not asserted.
 */
@RequiresRedisServer
class MissedSwitchMasterIT {
    @Test
    void repairsWithinFiveSecondsOfTheFailover() {
        Summary relay = FaultScenario.run(Fault.MISSED_SWITCH_MASTER, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().repairedWithin(Duration.ofSeconds(5)).check();
    }
}
