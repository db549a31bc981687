package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/** Master SIGKILL: Sentinel promotes the replica; the relay must deliver every acknowledged alert once. */
@RequiresRedisServer
class MasterSigkillIT {
    /** In-process {@code RedisSource} without the watchdog, 250 alerts/s per publisher: fast, not deciding. */
    @Test
    void deliversEveryAcknowledgedAlertOnce() {
        Summary relay = FaultScenario.run(Fault.MASTER_SIGKILL, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates().check();
    }

    /**
     * The deciding run: the assembled jar, watchdog at its defaults, 500 alerts/s per publisher; no acknowledged alert
     * lost, none delivered twice, and no blind window reported where every alert acknowledged meanwhile was delivered.
     */
    @Test
    void theShippedJarDeliversEveryAcknowledgedAlertOnceAndReportsNoFalseBlindWindow() {
        Summary jar = FaultScenario.run(Fault.MASTER_SIGKILL, FaultScenario.Options.jar()).relay();
        Verdict.on(jar).deliversAgain().noAcknowledgedAlertLost().noDuplicates().noFalseBlindWindows().check();
    }
}
